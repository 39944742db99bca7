//! The kind of principal a Teams Phone extension assignment is for.

use super::open_enum::open_enum;

open_enum! {
    /// The principal type of a Teams Phone extension assignment (`TeamsExtensionPrincipalType`).
    ///
    /// Extensible: a type the service adds later arrives as
    /// [`TeamsExtensionPrincipalType::Other`].
    TeamsExtensionPrincipalType {
        /// `resourceAccount`: a Teams resource account.
        ResourceAccount => "resourceAccount",
        /// `user`: a Teams user.
        User => "user",
    }
}

open_enum! {
    /// The principal type of an Entra ID assignment (`EntraPrincipalType`).
    ///
    /// Extensible: a type the service adds later arrives as [`EntraPrincipalType::Other`].
    EntraPrincipalType {
        /// `user`: an Entra ID user.
        User => "user",
        /// `group`: an Entra ID group.
        Group => "group",
        /// `tenant`: a whole Entra ID tenant.
        Tenant => "tenant",
    }
}
