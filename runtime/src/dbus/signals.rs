//! Signals as a resource's watch: match rules on a shared connection, every
//! matching message a "may have changed", and the watch carried over to a
//! new connection when the bus goes away (a restarted dbus-daemon).

use super::{Background, Buses};
use crate::resource::{ResourceError, WatchEvents};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
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
    next_of(std::slice::from_mut(stream)).await
}

/// The next message of any of `streams`; `None` once one has ended (they
/// share a connection, which has closed).
pub(crate) async fn next_of(streams: &mut [MessageStream]) -> Option<Message> {
    std::future::poll_fn(|context| {
        for stream in streams.iter_mut() {
            loop {
                match Pin::new(&mut *stream).poll_next(context) {
                    Poll::Ready(Some(Ok(message))) => return Poll::Ready(Some(message)),
                    // A message that could not be read is skipped.
                    Poll::Ready(Some(Err(_))) => continue,
                    Poll::Ready(None) => return Poll::Ready(None),
                    Poll::Pending => break,
                }
            }
        }
        Poll::Pending
    })
    .await
}

/// Watches the streams `listen` opens: each message tells `events` the
/// state may have changed. When the connection closes, the watch says so
/// too (a change may have been missed) and listens again on a new
/// connection, retrying with a growing delay (250 ms to 10 s). Returns once
/// the first listening worked, or with why it did not.
pub fn watch<Listen, Listening>(
    buses: &Buses,
    events: WatchEvents,
    listen: Listen,
) -> Result<Background, ResourceError>
where
    Listen: Fn(Buses) -> Listening + Send + 'static,
    Listening: Future<Output = Result<Vec<MessageStream>, ResourceError>> + Send,
{
    let (ready, started) = std::sync::mpsc::channel();
    let shared = buses.clone();
    let task = buses.spawn(async move {
        let mut streams = match listen(shared.clone()).await {
            Ok(streams) => {
                let _ = ready.send(Ok(()));
                streams
            }
            Err(problem) => {
                let _ = ready.send(Err(problem));
                return;
            }
        };
        loop {
            while next_of(&mut streams).await.is_some() {
                if events.changed().is_err() {
                    return;
                }
            }
            if events.changed().is_err() {
                return;
            }
            tracing::warn!("the D-Bus connection closed; listening again");
            let mut delay = Duration::from_millis(250);
            streams = loop {
                tokio::time::sleep(delay).await;
                match listen(shared.clone()).await {
                    Ok(streams) => break streams,
                    Err(problem) => {
                        tracing::warn!("{problem}; trying again in {delay:?}");
                        delay = (delay * 2).min(Duration::from_secs(10));
                    }
                }
            };
            // Whatever changed while nobody listened is checked now.
            if events.changed().is_err() {
                return;
            }
        }
    })?;
    started
        .recv()
        .unwrap_or_else(|_| Err(ResourceError::failed("the D-Bus runtime stopped")))?;
    Ok(task)
}
