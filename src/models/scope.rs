//! Token scopes: what an access token lets its holder do.

use super::open_enum::open_enum;

open_enum! {
    /// A scope of a Communication Services access token (`CommunicationIdentityTokenScope`).
    ///
    /// Extensible: a scope the service adds later arrives as [`CommunicationTokenScope::Other`]
    /// and can be requested the same way.
    ///
    /// ```
    /// use acs_identity::CommunicationTokenScope;
    /// assert_eq!(CommunicationTokenScope::ChatJoin.as_str(), "chat.join");
    /// assert_eq!("voip".parse::<CommunicationTokenScope>(), Ok(CommunicationTokenScope::Voip));
    /// ```
    CommunicationTokenScope {
        /// `chat`: full access to the Chat APIs.
        Chat => "chat",
        /// `voip`: full access to the Calling APIs.
        Voip => "voip",
        /// `chat.join`: Chat APIs without creating, deleting or updating chat threads.
        ChatJoin => "chat.join",
        /// `chat.join.limited`: like `chat.join`, without adding or removing participants; for
        /// token holders that are not fully trusted, such as guests.
        ChatJoinLimited => "chat.join.limited",
        /// `voip.join`: Calling APIs without starting new calls.
        VoipJoin => "voip.join",
    }
}
