"""The wording of the settings' errors, in Vietnamese and English (see `records.register_wording`)."""

from __future__ import annotations

WORDING: dict[str, tuple[str, str]] = {
    "settings.invalid:database": (
        "Biến môi trường {variable} không hợp lệ: cần sqlite:///… hoặc postgresql+psycopg://…",
        "{variable} is not valid: expected sqlite:///… or postgresql+psycopg://…",
    ),
    "settings.invalid:storage": (
        "Biến môi trường {variable} không hợp lệ: cần file:///… hoặc s3://…",
        "{variable} is not valid: expected file:///… or s3://…",
    ),
    "settings.invalid:file": (
        "Biến môi trường {variable} không hợp lệ: không có tệp {path}",
        "{variable} is not valid: no file {path}",
    ),
    "settings.invalid:count": (
        "Biến môi trường {variable} không hợp lệ: cần một số nguyên dương",
        "{variable} is not valid: expected a positive whole number",
    ),
    "settings.invalid:broker": (
        "Biến môi trường {variable} không hợp lệ: cần amqp://… (RabbitMQ)",
        "{variable} is not valid: expected amqp://… (RabbitMQ)",
    ),
    "settings.invalid:deadline": (
        "Biến môi trường {variable} không hợp lệ: cần tháng-ngày dạng MM-DD (ví dụ 07-31)",
        "{variable} is not valid: expected a month and day as MM-DD (07-31, say)",
    ),
    "settings.invalid:seal_key": (
        "Biến môi trường {variable} không hợp lệ: cần file:/đường/dẫn.p12 hoặc pkcs11:TOKEN[/KHOÁ]",
        "{variable} is not valid: expected file:/path.p12 or pkcs11:TOKEN[/KEY]",
    ),
    "settings.invalid:tsa": (
        "Cần {variable} (máy chủ dấu thời gian) để ký: mọi chữ ký của dịch vụ đều có dấu thời gian",
        "{variable} (the time-stamping authority) is needed to sign: every signature the service makes is timestamped",
    ),
    "settings.invalid:seconds": (
        "Biến môi trường {variable} không hợp lệ: cần số giây (lớn hơn 0, tối đa 600)",
        "{variable} is not valid: expected a number of seconds (over 0, at most 600)",
    ),
    "settings.invalid:url": (
        "Biến môi trường {variable} không hợp lệ: cần một địa chỉ http(s)://…",
        "{variable} is not valid: expected an http(s):// address",
    ),
    "settings.invalid:oidc_client": (
        "Cần biến môi trường {variable}: mã ứng dụng của dịch vụ ở nhà cung cấp định danh",
        "{variable} is needed: this service's client id at the identity provider",
    ),
    "settings.invalid:https": (
        "Biến môi trường {variable} cần địa chỉ https:// (http chỉ dùng trên chính máy này)",
        "{variable} needs an https:// address (http only on this machine's loopback)",
    ),
}
