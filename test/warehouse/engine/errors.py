"""Errors the warehouse returns, shaped like Databricks': an error class, a SQLSTATE, a message."""


class WarehouseError(Exception):
    def __init__(self, error_class, sqlstate, message):
        super().__init__(message)
        self.error_class = error_class
        self.sqlstate = sqlstate
        self.message = f"[{error_class}] {message} SQLSTATE: {sqlstate}"
