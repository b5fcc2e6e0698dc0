//! Reading: bytes into text or the HTML the table reader knows. Decoding (encodings), HTML
//! tables, Word (`.docx`) and PDF files, and the character primitives they share with
//! normalization. Uses only the form knowledge and the model below it.

pub mod decode;
pub mod docx;
pub mod html;
pub mod pdf;
pub mod script;
