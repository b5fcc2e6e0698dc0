//! Checking: the rows of either form version reconciled into the canonical cells
//! (`reconcile`), and the arithmetic the forms promise evaluated on them (`validate`).

pub mod reconcile;
pub mod validate;
