//! Parsing: decoded text into the form's rows. Normalization (script, width), layouts and
//! sections (`segment`), rows by label (`extract`), glued page text (`glued`), and the text
//! `pdftotext -layout` leaves behind (`pdftext`). Uses the readers below it.

pub mod extract;
pub mod glued;
pub mod normalize;
pub mod pdftext;
pub mod segment;
