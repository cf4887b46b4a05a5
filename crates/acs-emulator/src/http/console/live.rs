//! `GET /console/live?since=N`: the event log as Server-Sent Events, from index `N` on, as events
//! are published; a comment every 15 s keeps idle-timeouts and proxies from closing it.

use crate::app::App;
use bytes::Bytes;
use hyper::body::Frame;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A response body fed by a task; dropping the body (the browser left) ends the task.
pub(crate) struct EventStream {
    chunks: tokio::sync::mpsc::Receiver<Bytes>,
}

impl hyper::body::Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.chunks
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| Ok(Frame::data(c))))
    }
}

/// Streams events from index `since`.
pub(crate) fn stream(app: &Arc<App>, since: usize) -> EventStream {
    let (tx, chunks) = tokio::sync::mpsc::channel(64);
    let app = app.clone();
    tokio::spawn(async move {
        let mut next = since;
        let mut published = app.events.deliverable();
        let mut closing = app.closing.subscribe();
        // Tells the page how far the log went when the stream opened.
        if tx.send(Bytes::from("retry: 2000\n\n")).await.is_err() {
            return;
        }
        loop {
            let upto = *published.borrow_and_update();
            while next < upto {
                let chunk = app.events.indexed_range(next, upto, 256);
                let Some(&(first, _)) = chunk.first() else {
                    next = upto;
                    break;
                };
                next = first;
                for (index, event) in chunk {
                    let frame = format!("id: {index}\nevent: chat\ndata: {}\n\n", event.json);
                    if tx.send(Bytes::from(frame)).await.is_err() {
                        return;
                    }
                    next = index + 1;
                }
            }
            if *closing.borrow_and_update() {
                return;
            }
            tokio::select! {
                changed = published.changed() => if changed.is_err() { return },
                _ = closing.changed() => return,
                _ = tokio::time::sleep(KEEP_ALIVE) => {
                    if tx.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    EventStream { chunks }
}
