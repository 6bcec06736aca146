//! The small resource kinds through the engine's contract: `timer` ticks,
//! `print` and `msg` log, `value` passes values on, `test` misbehaves on
//! purpose.

use mgmt_runtime::resource::{
    ApplyContext, Outcome, Resource, ResourceError, ShowDiff, WatchEvents,
};
use mgmt_runtime::services::Services;
use mgmt_runtime::spec::ResourceSpec;
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const APPLY: ApplyContext = ApplyContext {
    apply: true,
    refresh: false,
    show_diff: ShowDiff::Auto,
};
const REFRESH: ApplyContext = ApplyContext {
    apply: true,
    refresh: true,
    show_diff: ShowDiff::Auto,
};
const NOOP: ApplyContext = ApplyContext {
    apply: false,
    refresh: false,
    show_diff: ShowDiff::Auto,
};

fn try_resource(kind: &str, name: &str, params: Json) -> Result<Box<dyn Resource>, ResourceError> {
    let params = params.as_object().expect("params are an object").clone();
    Services::new().build(&ResourceSpec::new(
        kind,
        name,
        params.into_iter().collect(),
        "test.mcl:1:1",
    ))
}

fn resource(kind: &str, params: Json) -> Box<dyn Resource> {
    try_resource(kind, "r", params).expect("a valid resource")
}

fn invalid(kind: &str, params: Json) -> String {
    match try_resource(kind, "r", params) {
        Err(ResourceError::Invalid(message)) => message,
        Err(other) => panic!("expected invalid, got {other:?}"),
        Ok(_) => panic!("expected invalid, got a resource"),
    }
}

fn changed(what: &str) -> Result<Outcome, ResourceError> {
    Ok(Outcome::Changed(what.to_owned()))
}

async fn next_event(received: &mut mpsc::UnboundedReceiver<()>, within: Duration) {
    tokio::time::timeout(within, received.recv())
        .await
        .expect("an event in time")
        .expect("the watch is alive");
}

#[tokio::test]
async fn a_timer_ticks_every_interval_until_its_guard_drops() {
    let mut timer = resource("timer", json!({"interval": 1}));
    assert_eq!(
        timer.check_apply(APPLY),
        Ok(Outcome::Correct),
        "no tick yet"
    );
    let (events, mut received) = WatchEvents::channel();
    let guard = timer.watch(events).unwrap().expect("a watch");
    let started = Instant::now();
    next_event(&mut received, Duration::from_secs(3)).await;
    let first = started.elapsed();
    assert!(first >= Duration::from_millis(950), "{first:?}");
    assert_eq!(timer.check_apply(APPLY), changed("tick"));
    assert_eq!(timer.check_apply(APPLY), Ok(Outcome::Correct));
    next_event(&mut received, Duration::from_secs(3)).await;
    let second = started.elapsed() - first;
    assert!(second >= Duration::from_millis(950), "{second:?}");
    assert_eq!(
        timer.check_apply(NOOP),
        Ok(Outcome::WouldChange("tick".into()))
    );

    drop(guard);
    let ended = tokio::time::timeout(Duration::from_secs(1), received.recv()).await;
    assert_eq!(ended, Ok(None), "the ticking thread ends with its guard");
}

#[tokio::test]
async fn a_refresh_restarts_the_interval() {
    let mut timer = resource("timer", json!({"interval": 1}));
    let (events, mut received) = WatchEvents::channel();
    let _guard = timer.watch(events).unwrap().expect("a watch");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(timer.check_apply(REFRESH), changed("interval restarted"));
    let restarted = Instant::now();
    next_event(&mut received, Duration::from_secs(3)).await;
    let waited = restarted.elapsed();
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert_eq!(timer.check_apply(APPLY), changed("tick"));
}

#[test]
fn a_timer_needs_a_positive_interval() {
    assert!(invalid("timer", json!({})).contains("required"));
    assert!(invalid("timer", json!({"interval": 0})).contains("at least 1"));
    let mut timer = resource("timer", json!({"interval": 5}));
    assert!(timer.receive("interval", json!(0)).is_err());
    assert!(timer.receive("interval", json!(2)).is_ok());
    assert!(timer.receive("other", json!(2)).is_err());
}

#[test]
fn print_prints_at_first_on_change_and_on_refresh() {
    let mut print = resource("print", json!({"msg": "hello"}));
    assert_eq!(
        print.check_apply(NOOP),
        Ok(Outcome::WouldChange("would print \"hello\"".into()))
    );
    assert_eq!(print.check_apply(APPLY), changed("printed"));
    assert_eq!(print.check_apply(APPLY), Ok(Outcome::Correct));
    assert_eq!(print.check_apply(REFRESH), changed("printed"));
    print.receive("msg", json!("hello")).unwrap();
    assert_eq!(
        print.check_apply(APPLY),
        Ok(Outcome::Correct),
        "same message"
    );
    print.receive("msg", json!("bye")).unwrap();
    assert_eq!(print.check_apply(APPLY), changed("printed"));
    assert!(print.receive("msg", json!(3)).is_err());

    let mut quiet = resource("print", json!({"msg": "only then", "refresh_only": true}));
    assert_eq!(quiet.check_apply(APPLY), Ok(Outcome::Correct));
    assert_eq!(quiet.check_apply(REFRESH), changed("printed"));
    assert_eq!(quiet.check_apply(APPLY), Ok(Outcome::Correct));
}

#[test]
fn msg_writes_once_per_message_and_refresh() {
    let mut msg = resource("msg", json!({"body": "disk is full", "priority": "Crit"}));
    assert_eq!(
        msg.check_apply(NOOP),
        Ok(Outcome::WouldChange(
            "would write \"disk is full\" to the log".into()
        ))
    );
    assert_eq!(
        msg.check_apply(APPLY),
        changed("wrote the message to the log")
    );
    assert_eq!(msg.check_apply(APPLY), Ok(Outcome::Correct));
    assert_eq!(
        msg.check_apply(REFRESH),
        changed("wrote the message to the log")
    );
    msg.receive("body", json!("disk is fine")).unwrap();
    assert_eq!(
        msg.check_apply(APPLY),
        changed("wrote the message to the log")
    );

    // Without a journal or syslog socket the message is only logged, with a
    // warning; with them it is delivered. Either way it counts as written.
    let mut everywhere = resource(
        "msg",
        json!({"body": "b", "journal": true, "syslog": true, "fields": {"unit": "x"}}),
    );
    assert_eq!(
        everywhere.check_apply(APPLY),
        changed("wrote the message to the log, the journal, syslog")
    );
    assert_eq!(everywhere.check_apply(APPLY), Ok(Outcome::Correct));

    assert!(invalid("msg", json!({"priority": "Loud"})).contains("Emerg"));
    assert!(invalid("msg", json!({"fields": {"_PRIVATE": "x"}})).contains("_PRIVATE"));
    assert!(invalid("msg", json!({"colour": "red"})).contains("colour"));
}

#[test]
fn value_sends_what_it_holds_and_reports_new_values() {
    let mut value = resource("value", json!({"any": [1, 2]}));
    assert_eq!(value.sent().get("any"), Some(&json!([1, 2])));
    assert_eq!(
        value.check_apply(NOOP),
        Ok(Outcome::WouldChange("value [1,2]".into()))
    );
    assert_eq!(value.check_apply(APPLY), changed("value [1,2]"));
    assert_eq!(value.check_apply(APPLY), Ok(Outcome::Correct));
    value.receive("any", json!([1, 2])).unwrap();
    assert_eq!(value.check_apply(APPLY), Ok(Outcome::Correct), "same value");
    value.receive("any", json!({"a": "b"})).unwrap();
    assert_eq!(value.check_apply(APPLY), changed("value {\"a\":\"b\"}"));
    assert_eq!(value.sent().get("any"), Some(&json!({"a": "b"})));
    assert!(value.receive("other", json!(1)).is_err());

    let mut empty = resource("value", json!({}));
    assert!(empty.sent().is_empty());
    assert_eq!(empty.check_apply(APPLY), Ok(Outcome::Correct));
}

#[test]
fn test_validation_switches_fail_the_build() {
    assert!(invalid("test", json!({"validatebool": true})).contains("validatebool"));
    assert!(invalid("test", json!({"validateerror": "boom"})).contains("boom"));
    assert!(try_resource(
        "test",
        "r",
        json!({"validatebool": false, "validateerror": ""})
    )
    .is_ok());
    assert!(invalid("test", json!({"nosuchfield": 1})).contains("nosuchfield"));
}

#[test]
fn test_sends_hello_and_answer_after_a_check() {
    let mut test = resource(
        "test",
        json!({"sendvalue": "hi", "int8": -3, "slicestring": ["a"], "onlyshow": ["int8"]}),
    );
    assert!(test.sent().is_empty());
    assert_eq!(test.check_apply(REFRESH), Ok(Outcome::Correct));
    assert_eq!(test.sent().get("hello"), Some(&json!("hi")));
    assert_eq!(test.sent().get("answer"), Some(&json!(42)));

    let mut plain = resource("test", json!({}));
    assert_eq!(plain.check_apply(APPLY), Ok(Outcome::Correct));
    assert_eq!(plain.sent().get("hello"), Some(&json!("")));
}

#[test]
fn test_expects_exactly_the_values_it_should_receive() {
    let mut test = resource("test", json!({"expectrecv": ["str", "int"]}));
    let Err(ResourceError::Failed(message)) = test.check_apply(APPLY) else {
        panic!("nothing received yet");
    };
    assert!(message.contains("expected to receive"), "{message}");
    test.receive("str", json!("s")).unwrap();
    test.receive("int", json!(7)).unwrap();
    assert_eq!(test.check_apply(APPLY), Ok(Outcome::Correct));
    test.receive("bool", json!(true)).unwrap();
    assert!(test.check_apply(APPLY).is_err(), "one more than expected");
    assert!(test.receive("nosuchfield", json!(1)).is_err());
}

#[test]
fn test_waitforerror_fails_the_first_checks() {
    let mut test = resource("test", json!({"waitforerror": 2}));
    assert!(test.check_apply(APPLY).is_err());
    assert!(test.check_apply(APPLY).is_err());
    assert_eq!(test.check_apply(APPLY), Ok(Outcome::Correct));

    let mut always = resource("test", json!({"waitforerror": -1}));
    for _ in 0..3 {
        assert!(always.check_apply(APPLY).is_err());
    }
}

#[test]
fn every_kind_of_this_set_is_registered() {
    for (kind, params) in [
        ("exec", json!({"cmd": "true"})),
        ("msg", json!({})),
        ("noop", json!({})),
        ("print", json!({})),
        ("test", json!({})),
        ("timer", json!({"interval": 1})),
        ("value", json!({})),
    ] {
        assert!(try_resource(kind, "r", params).is_ok(), "{kind}");
    }
}
