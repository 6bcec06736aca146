//! Signals as a resource's watch: a match rule on a shared connection, and
//! the next message that matches it.

use crate::resource::ResourceError;
use std::pin::Pin;
use zbus::export::futures_core::Stream;
use zbus::message::Type;
use zbus::{Connection, MatchRule, Message, MessageStream};

/// The signals of `interface` (and `member`, if given) emitted from the
/// object at `path`. The rule names no sender: signals come from the
/// service's unique name, which a well-known name does not match here, and
/// changes with each restart of the service. A stray signal only causes a
/// check, which reads the real state.
pub async fn subscribe(
    connection: &Connection,
    path: &str,
    interface: &'static str,
    member: Option<&'static str>,
) -> Result<MessageStream, ResourceError> {
    let mut rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .path(path.to_owned())
        .interface(interface);
    if let Some(member) = member {
        rule = rule.member(member);
    }
    let rule = rule
        .build()
        .map_err(|problem| super::failed(format!("a match rule for {path}"), problem))?;
    MessageStream::for_match_rule(rule, connection, None)
        .await
        .map_err(|problem| super::failed(format!("listening to {interface} at {path}"), problem))
}

/// The next message of `stream`; `None` once the connection has closed.
pub async fn next(stream: &mut MessageStream) -> Option<Message> {
    loop {
        let item =
            std::future::poll_fn(|context| Pin::new(&mut *stream).poll_next(context)).await?;
        if let Ok(message) = item {
            return Some(message);
        }
    }
}
