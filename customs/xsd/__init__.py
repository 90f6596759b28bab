"""The CEB message schemas (2016-08), shipped as package data; see README.md beside them."""
