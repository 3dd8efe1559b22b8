//! Syntax elements.

mod container;
mod keyword;
mod term;
mod typ;

pub use container::*;
pub use keyword::*;
pub use term::*;
pub use typ::*;
