from rest_framework.exceptions import APIException


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "payload_too_large"

    def __init__(self, limit: int):
        super().__init__(f"Request body is larger than {limit} bytes.", code="payload_too_large")


class RateLimited(APIException):
    status_code = 429
    default_code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = max(1, int(retry_after))
        super().__init__(f"Too many requests; retry after {self.retry_after} s.", code="rate_limited")
