// Paging across three pages (absolute, then relative nextLink), by_page, resume, errors mid-way.

fn message_json(id: u32) -> Value {
    json!({"id": id.to_string(), "type": "text", "sequenceId": id.to_string(), "version": id.to_string(),
           "content": {"message": format!("m{id}")}, "createdOn": "2024-01-01T00:00:00.0000000Z",
           "senderCommunicationIdentifier": {"rawId": "8:acs:r_u", "communicationUser": {"id": "8:acs:r_u"}}})
}

/// Page 1 (ids 1-2) links absolutely to page 2 (3-4), which links relatively to page 3 (5).
fn three_pages(server: &mut ServerGuard) -> Vec<Mock> {
    let path = format!("{THREAD_PATH}/messages");
    let page2 = format!(
        "{}{path}?syncState=p2&maxPageSize=2&api-version=2025-03-15",
        server.url()
    );
    let page3 = format!("{path}?syncState=p3&maxPageSize=2&api-version=2025-03-15");
    let state = |s: &str| Matcher::UrlEncoded("syncState".into(), s.into());
    vec![
        expect_request(
            server,
            "GET",
            &path,
            vec![Matcher::UrlEncoded("maxPageSize".into(), "2".into())],
        )
        .match_request(|r| !r.path_and_query().contains("syncState"))
        .with_body(
            json!({"value": [message_json(1), message_json(2)], "nextLink": page2}).to_string(),
        )
        .create(),
        expect_request(server, "GET", &path, vec![state("p2")])
            .with_body(
                json!({"value": [message_json(3), message_json(4)], "nextLink": page3}).to_string(),
            )
            .create(),
        expect_request(server, "GET", &path, vec![state("p3")])
            .with_body(json!({"value": [message_json(5)], "nextLink": ""}).to_string())
            .create(),
    ]
}

fn two_per_page() -> Option<chat::models::ListMessagesOptions> {
    Some(chat::models::ListMessagesOptions {
        results_per_page: Some(2),
        ..Default::default()
    })
}

#[maybe_async]
#[chat_test]
async fn items_flow_across_three_pages() {
    let mut server = mock_server().await;
    let mocks = three_pages(&mut server);
    let client = thread_client(&server);
    let ids: Vec<String> = collect(client.list_messages(two_per_page()))
        .await
        .into_iter()
        .map(|m| m.unwrap().id)
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    mocks.iter().for_each(Mock::assert);
}

#[maybe_async]
#[chat_test]
async fn by_page_yields_pages_with_continuation_tokens() {
    let mut server = mock_server().await;
    let _mocks = three_pages(&mut server);
    let client = thread_client(&server);
    let pages: Vec<_> = collect(client.list_messages(two_per_page()).into_pages(None))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [2, 2, 1]
    );
    let token = pages[0].continuation_token.as_deref().unwrap();
    assert!(
        token.starts_with(&server.url()) && token.contains("syncState=p2"),
        "{token}"
    );
    let relative_resolved = pages[1].continuation_token.as_deref().unwrap();
    assert!(
        relative_resolved.starts_with(&server.url()) && relative_resolved.contains("syncState=p3")
    );
    assert_eq!(pages[2].continuation_token, None);
}

#[maybe_async]
#[chat_test]
async fn a_saved_continuation_token_resumes_the_listing() {
    let mut server = mock_server().await;
    let _mocks = three_pages(&mut server);
    let client = thread_client(&server);
    let first = client
        .list_messages_page(None, two_per_page())
        .await
        .unwrap();
    let token = first.continuation_token.unwrap();

    let rest: Vec<String> = collect(client.list_messages(None).into_pages(Some(token.clone())))
        .await
        .into_iter()
        .flat_map(|page| page.unwrap().items)
        .map(|m| m.id)
        .collect();
    assert_eq!(rest, ["3", "4", "5"]);

    let second = client.list_messages_page(Some(&token), None).await.unwrap();
    assert_eq!(
        second
            .items
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        ["3", "4"]
    );
}

#[maybe_async]
#[chat_test]
async fn an_error_on_page_two_ends_the_listing() {
    let mut server = mock_server().await;
    let path = format!("{THREAD_PATH}/messages");
    let next = format!("{}{path}?syncState=p2&api-version=2025-03-15", server.url());
    let _first = server
        .mock("GET", path.as_str())
        .match_query(Matcher::Any)
        .match_request(|r| !r.path_and_query().contains("syncState"))
        .with_body(
            json!({"value": [message_json(1), message_json(2)], "nextLink": next}).to_string(),
        )
        .create();
    let _second = server
        .mock("GET", path.as_str())
        .match_query(Matcher::UrlEncoded("syncState".into(), "p2".into()))
        .with_status(403)
        .with_body(error_body("Forbidden", "not a participant"))
        .create();
    let client = thread_client(&server);
    let results = collect(client.list_messages(None)).await;
    assert_eq!(results.len(), 3, "two items, one error, then the end");
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.code(), Some("Forbidden"));
}

#[maybe_async]
#[chat_test]
async fn a_bad_page_size_is_an_error_item_without_a_request() {
    let mut server = mock_server().await;
    let mock = server.mock("GET", Matcher::Any).expect(0).create();
    let client = thread_client(&server);
    let options = chat::models::ListMessagesOptions {
        results_per_page: Some(0),
        ..Default::default()
    };
    let results = collect(client.list_messages(Some(options))).await;
    assert_eq!(results.len(), 1);
    assert!(matches!(results[0], Err(Error::InvalidArgument { .. })));
    mock.assert();
}

#[maybe_async]
#[chat_test]
async fn only_message_listings_cap_the_page_size() {
    let mut server = mock_server().await;
    let participants = expect_request(
        &mut server,
        "GET",
        &format!("{THREAD_PATH}/participants"),
        vec![Matcher::UrlEncoded("maxPageSize".into(), "500".into())],
    )
    .with_body(r#"{"value": []}"#)
    .expect(1)
    .create();
    let client = thread_client(&server);
    let large = chat::models::ListParticipantsOptions {
        results_per_page: Some(500),
        ..Default::default()
    };
    let listed = collect(client.list_participants(Some(large))).await;
    assert!(listed.is_empty(), "{listed:?}");
    participants.assert();
    let too_many = chat::models::ListMessagesOptions {
        results_per_page: Some(201),
        ..Default::default()
    };
    let refused = collect(client.list_messages(Some(too_many))).await;
    assert!(
        matches!(refused[0], Err(Error::InvalidArgument { .. })),
        "{refused:?}"
    );
}

/// The ids of a listing's items, in order.
fn ids(items: Vec<chat::Result<chat::models::ChatMessage>>) -> Vec<String> {
    items.into_iter().map(|m| m.unwrap().id).collect()
}

#[maybe_async]
#[chat_test]
async fn an_item_pager_reports_where_it_stands_and_resumes_there() {
    let mut server = mock_server().await;
    let _pages = three_pages(&mut server);
    let client = thread_client(&server);

    let mut pager = client.list_messages(two_per_page());
    let start = pager.continuation_token().expect("the start is a position");
    for want in ["1", "2", "3"] {
        let item = next_item(&mut pager).await.unwrap().unwrap();
        assert_eq!(item.id, want);
    }
    // Mid-page: page two's link, one item in.
    let mid = pager.continuation_token().expect("mid-listing");
    assert!(mid.ends_with("#skip-items=1"), "{mid}");
    let resumed = client
        .list_messages(two_per_page())
        .with_continuation_token(mid.clone());
    // Before it reads anything, a resumed pager stands where the token says.
    assert_eq!(resumed.continuation_token().as_deref(), Some(mid.as_str()));
    let rest = ids(collect(resumed).await);
    assert_eq!(rest, ["4", "5"]);
    // Read to the end: nothing left to resume.
    let end = ids(collect(&mut pager).await);
    assert_eq!(end, ["4", "5"]);
    assert_eq!(pager.continuation_token(), None);
    // The start token reads everything; a page token (no skip) is the same kind of token.
    let all = ids(collect(
        client
            .list_messages(two_per_page())
            .with_continuation_token(start),
    )
    .await);
    assert_eq!(all, ["1", "2", "3", "4", "5"]);
}

#[maybe_async]
#[chat_test]
async fn after_an_error_mid_listing_the_reported_token_resumes_with_nothing_lost_or_repeated() {
    let mut server = mock_server().await;
    let path = format!("{THREAD_PATH}/messages");
    let page2 = format!("{}{path}?syncState=p2&api-version=2025-03-15", server.url());
    let _first = server
        .mock("GET", path.as_str())
        .match_query(Matcher::Any)
        .match_request(|r| !r.path_and_query().contains("syncState"))
        .with_body(
            json!({"value": [message_json(1), message_json(2)], "nextLink": page2}).to_string(),
        )
        .create();
    let failing = server
        .mock("GET", path.as_str())
        .match_query(Matcher::UrlEncoded("syncState".into(), "p2".into()))
        .with_status(500)
        .with_body(error_body("InternalError", "try again"))
        .create();
    let client = client_with(&server, 0).get_chat_thread_client(THREAD_ID);
    let mut pager = client.list_messages(None);
    let mut read = Vec::new();
    let error = loop {
        match next_item(&mut pager)
            .await
            .expect("an error before the end")
        {
            Ok(message) => read.push(message.id),
            Err(error) => break error,
        }
    };
    assert_eq!(
        (read.clone(), error.status()),
        (vec!["1".to_string(), "2".into()], Some(500))
    );
    let token = pager.continuation_token().expect("where it stopped");
    assert!(
        token.contains("syncState=p2") && !token.contains("#skip-items"),
        "{token}"
    );

    // The service recovers; a new pager (here from another client) goes on from the token.
    failing.remove();
    let _second = server
        .mock("GET", path.as_str())
        .match_query(Matcher::UrlEncoded("syncState".into(), "p2".into()))
        .with_body(json!({"value": [message_json(3), message_json(4)], "nextLink": ""}).to_string())
        .create();
    let resumed = thread_client(&server)
        .list_messages(None)
        .with_continuation_token(token);
    read.extend(ids(collect(resumed).await));
    assert_eq!(
        read,
        ["1", "2", "3", "4"],
        "exactly the listing, nothing twice"
    );
}
