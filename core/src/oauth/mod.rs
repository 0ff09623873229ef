//! OAuth 2.0 sign-in (issue #15), without IO: the providers' data, the
//! client configuration, the authorization request with PKCE and `state`
//! (RFC 7636, RFC 8252), the callback, and the token endpoint's answers,
//! each error typed for the diagnosis. The driver fetches, listens and
//! stores; randomness and answers come in as arguments.

mod clients;
mod flow;
mod providers;

pub use clients::{ClientConfig, Clients, ClientsError, client_finding};
pub use flow::{
    AuthRequest, CallbackError, DeviceAuthorization, Pkce, TokenError, Tokens, authorization_url, callback_code, callback_state,
    device_authorization, device_form, device_token_form, refresh_form, token_form, token_response,
};
pub use providers::{Endpoints, Provider, ProviderError, oidc_discovery};
