"""Domain errors: each carries Canvas's status, JSON body and headers. No Flask here."""

from __future__ import annotations

from typing import Any

WWW_AUTHENTICATE = ("WWW-Authenticate", 'Bearer realm="canvas-lms"')


class CanvasError(Exception):
    """An error Canvas answers with a JSON body."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any],
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers

    def __repr__(self) -> str:
        return f"CanvasError({self.status}, {self.body!r})"


def _messages(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


def not_found() -> CanvasError:
    """ActiveRecord::RecordNotFound as the API renders it."""
    return CanvasError(404, _messages("The specified resource does not exist."))


def invalid_page() -> CanvasError:
    """A page number that is not a positive integer (Api.paginate's InvalidPage)."""
    return CanvasError(
        404, {"errors": [{"message": "An error occurred.", "error_code": "not_found"}]}
    )


def invalid_access_token() -> CanvasError:
    return CanvasError(401, _messages("Invalid access token."), (WWW_AUTHENTICATE,))


def expired_access_token(expired_at: str | None) -> CanvasError:
    # Canvas adds the token's expiry next to the message.
    return CanvasError(
        401,
        {"errors": [{"message": "Expired access token.", "expired_at": expired_at}]},
        (WWW_AUTHENTICATE,),
    )


def unauthenticated() -> CanvasError:
    return CanvasError(
        401,
        {"status": "unauthenticated", "errors": [{"message": "user authorization required"}]},
        (WWW_AUTHENTICATE,),
    )


class Unauthorized(CanvasError):
    """render_unauthorized_action: 403 (or 401 on older Canvas, a setting of the app)."""

    def __init__(self) -> None:
        super().__init__(
            403,
            {
                "status": "unauthorized",
                "errors": [{"message": "user not authorized to perform that action"}],
            },
        )


def unprocessable(message: str) -> CanvasError:
    return CanvasError(422, _messages(message))


def invalid_credentials() -> CanvasError:
    # 401 *without* WWW-Authenticate: clients must not mistake it for a bad token.
    return CanvasError(401, _messages("Invalid credentials provided."))


def bad_parameters() -> CanvasError:
    """Rack/Rails refusing the parameters themselves (ActionController::BadRequest)."""
    return CanvasError(
        400, {"errors": [{"message": "An error occurred.", "error_code": "bad_request"}]}
    )


def bad_request(message: str) -> CanvasError:
    return CanvasError(400, _messages(message))


class InvalidPairingCode(CanvasError):
    """`Invalid pairing code.` (422): Canvas also charges the caller's throttle bucket for it."""

    def __init__(self) -> None:
        super().__init__(422, _messages("Invalid pairing code."))
