//! Unit tests of export's conversion (raw ARM bodies -> estate) and of adoption planning.
