//! "Einstellungen suchen" over the network (issue #14).

pub mod autoconfig;
