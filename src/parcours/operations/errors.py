class OperationError(Exception):
    """A backup or restore that cannot be done; its message is for the operator, translated."""
