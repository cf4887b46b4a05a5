//! Chat over real HTTPS. Paging: page sizes, skip, startTime, stable cursors, absolute nextLinks.

mod common;

use common::*;
use serde_json::json;

#[test]
fn paging_rules() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    for i in 0..7 {
        h.send(&alice, &thread, &format!("m{i}"));
    }
    // nextLink: absolute, to the emulator, with the request's api-version.
    let first = h.chat_with(
        &alice,
        "GET",
        &format!("{}?maxPageSize=3", messages_path(&thread)),
        "2023-11-07",
        "",
        None,
    );
    assert_eq!(first.status, 200);
    assert_eq!(first.body["value"].as_array().unwrap().len(), 3);
    let link = first.body["nextLink"].as_str().unwrap();
    assert!(
        link.starts_with(h.emulator.endpoint()) && link.contains("api-version=2023-11-07"),
        "{link}"
    );

    // Messages arriving between pages are neither repeated nor skipped.
    h.send(&alice, &thread, "late");
    let mut ids: Vec<String> = first.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut next = Some(link.to_string());
    while let Some(link) = next {
        let page = h.raw(
            "GET",
            link.strip_prefix(h.emulator.endpoint()).unwrap(),
            &[("authorization", format!("Bearer {}", alice.token))],
            None,
        );
        assert_eq!(page.status, 200, "{}", page.text);
        ids.extend(
            page.body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        next = page.body["nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(
        ids.len(),
        9,
        "7 texts + 2 system messages, without the late one"
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());

    // startTime is a lower bound.
    let future = acs_chat_core::time_format::to_rfc3339(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    )
    .unwrap();
    let none = h.chat(
        &alice,
        "GET",
        &format!("{}?startTime={}", messages_path(&thread), encode(&future)),
        None,
    );
    assert_eq!(none.body["value"].as_array().unwrap().len(), 0);
    let past = acs_chat_core::time_format::to_rfc3339(
        time::OffsetDateTime::now_utc() - time::Duration::hours(1),
    )
    .unwrap();
    assert_eq!(
        h.list_all(
            &alice,
            &format!(
                "{}?startTime={}&maxPageSize=4",
                messages_path(&thread),
                encode(&past)
            )
        )
        .len(),
        10
    );

    // Page sizes: default and maximum 200; zero or junk is 400; a bad syncState is 400.
    let many = h.chat(
        &alice,
        "GET",
        &format!("{}?maxPageSize=5000", messages_path(&thread)),
        None,
    );
    assert_eq!(many.status, 200);
    assert!(many.body.get("nextLink").is_none());
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?maxPageSize=0", messages_path(&thread)),
            None
        )
        .status,
        400
    );
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?maxPageSize=abc", messages_path(&thread)),
            None
        )
        .status,
        400
    );
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("{}?syncState=!!", messages_path(&thread)),
            None
        )
        .status,
        400
    );

    // skip on participants and read receipts.
    let bob = h.new_user();
    let carol = h.new_user();
    let add = h.chat(
        &alice,
        "POST",
        &format!("/chat/threads/{}/participants/:add", encode(&thread)),
        Some(json!({"participants": [participant(&bob.id), participant(&carol.id)]})),
    );
    assert_eq!(add.status, 201);
    let page = h.chat(
        &alice,
        "GET",
        &format!(
            "/chat/threads/{}/participants?maxPageSize=1&skip=1",
            encode(&thread)
        ),
        None,
    );
    assert_eq!(page.body["value"].as_array().unwrap().len(), 1);
    assert!(page.body["nextLink"].as_str().unwrap().contains("skip=2"));
    assert_eq!(
        h.list_all(
            &alice,
            &format!(
                "/chat/threads/{}/participants?maxPageSize=1",
                encode(&thread)
            )
        )
        .len(),
        3
    );
}

#[test]
fn thread_listing_pages_and_start_time() {
    let h = start();
    let alice = h.new_user();
    let mut created: Vec<String> = (0..5).map(|_| h.thread(&alice, &[])).collect();
    let listed: Vec<String> = h
        .list_all(&alice, "/chat/threads?maxPageSize=2")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    created.reverse();
    assert_eq!(listed, created, "newest first, across three pages");
    let future = acs_chat_core::time_format::to_rfc3339(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    )
    .unwrap();
    assert!(h
        .list_all(
            &alice,
            &format!("/chat/threads?startTime={}", encode(&future))
        )
        .is_empty());
}

#[test]
fn page_sizes_are_capped_only_where_the_service_documents_a_cap() {
    let h = start();
    let alice = h.new_user();
    let others: Vec<User> = (0..230).map(|_| h.new_user()).collect();
    let thread = h.thread(&alice, &[]);
    for batch in others.chunks(200) {
        let body = serde_json::json!({"participants": batch.iter().map(|u| participant(&u.id)).collect::<Vec<_>>()});
        let added = h.chat(
            &alice,
            "POST",
            &format!("/chat/threads/{}/participants/:add", encode(&thread)),
            Some(body),
        );
        assert_eq!(added.status, 201, "{}", added.text);
    }
    // Participants: no documented cap, so 300 asked is 231 given, on one page.
    let page = h.chat(
        &alice,
        "GET",
        &format!(
            "/chat/threads/{}/participants?maxPageSize=300",
            encode(&thread)
        ),
        None,
    );
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["value"].as_array().unwrap().len(), 231);
    assert!(page.body.get("nextLink").is_none() || page.body["nextLink"].is_null());
    // Messages: documented at 200 at most.
    for i in 0..205 {
        h.send(&alice, &thread, &format!("m{i}"));
    }
    let page = h.chat(
        &alice,
        "GET",
        &format!("{}?maxPageSize=300", messages_path(&thread)),
        None,
    );
    assert_eq!(page.body["value"].as_array().unwrap().len(), 200);
}

#[test]
fn a_skip_at_the_end_of_usize_is_an_empty_page_not_a_dropped_connection() {
    let h = start();
    let alice = h.new_user();
    let thread = h.thread(&alice, &[]);
    for listing in ["participants", "readReceipts"] {
        for skip in [
            "18446744073709551615",
            "18446744073709551614",
            "9223372036854775808",
        ] {
            let path = format!(
                "/chat/threads/{}/{listing}?skip={skip}&maxPageSize=2",
                encode(&thread)
            );
            let page = h.chat(&alice, "GET", &path, None);
            assert_eq!(page.status, 200, "{listing} skip={skip}: {}", page.text);
            assert_eq!(page.body["value"], json!([]), "{listing}");
            assert!(page.body.get("nextLink").is_none(), "{listing}");
        }
    }
    // The emulator is still there for the next request.
    assert_eq!(
        h.chat(
            &alice,
            "GET",
            &format!("/chat/threads/{}", encode(&thread)),
            None
        )
        .status,
        200
    );
}
