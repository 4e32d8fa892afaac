package dev.specd.serving.api;

/**
 * An error the API reports as OpenAI does: an HTTP status and
 * {@code {"error": {"message", "type", "param", "code"}}}. Thrown anywhere a request is refused;
 * the server turns it into the response.
 */
public final class ApiError extends RuntimeException {

    /** OpenAI's error types. */
    private static final String INVALID_REQUEST = "invalid_request_error";
    private static final String RATE_LIMIT = "rate_limit_error";
    private static final String SERVER_ERROR = "server_error";

    /** The body: {@code {"error": {...}}}. */
    public record Body(Detail error) {}

    public record Detail(String message, String type, String param, String code) {}

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    private ApiError(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request is malformed, has a wrong type or a value out of range. */
    public static ApiError invalid(String param, String message) {
        return new ApiError(400, INVALID_REQUEST, "invalid_value", param, message);
    }

    /** 400 with OpenAI's code for prompts that do not fit. */
    public static ApiError contextLengthExceeded(String param, String message) {
        return new ApiError(400, INVALID_REQUEST, "context_length_exceeded", param, message);
    }

    /** 400: a parameter this server does not implement was given a value other than its no-op one. */
    public static ApiError unsupported(String param, String message) {
        return new ApiError(400, INVALID_REQUEST, "unsupported_parameter", param, message);
    }

    public static ApiError invalidApiKey() {
        return new ApiError(401, INVALID_REQUEST, "invalid_api_key", null,
                "Incorrect or missing API key: send it as 'Authorization: Bearer <key>'.");
    }

    public static ApiError modelNotFound(String model) {
        return new ApiError(404, INVALID_REQUEST, "model_not_found", "model", "The model '" + model + "' does not exist.");
    }

    public static ApiError notFound(String method, String path) {
        return new ApiError(404, INVALID_REQUEST, "not_found", null, "Unknown route: " + method + " " + path);
    }

    public static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(405, INVALID_REQUEST, "method_not_allowed", null, method + " is not allowed on " + path);
    }

    /** 404: no draft version of that name is registered. */
    public static ApiError draftNotFound(String param, String version) {
        return new ApiError(404, INVALID_REQUEST, "draft_not_found", param,
                "No draft version '" + version + "' is registered; GET /admin/drafts lists them.");
    }

    /** 409: the request conflicts with how this server runs (no trainer, no draft model, no parent to roll back to). */
    public static ApiError conflict(String code, String message) {
        return new ApiError(409, INVALID_REQUEST, code, null, message);
    }

    /** 422: the draft version exists but cannot serve: its files fail their checksums, or it does not fit the target. */
    public static ApiError draftRefused(String param, String message) {
        return new ApiError(422, INVALID_REQUEST, "draft_refused", param, message);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, INVALID_REQUEST, "request_too_large", null,
                "The request body exceeds the limit of " + limit + " bytes.");
    }

    public static ApiError unsupportedMediaType(String contentType) {
        return new ApiError(415, INVALID_REQUEST, "unsupported_media_type", null,
                "Content-Type must be application/json, got " + (contentType == null ? "none" : "'" + contentType + "'") + ".");
    }

    public static ApiError queueFull() {
        return new ApiError(429, RATE_LIMIT, "queue_full", null, "The server's request queue is full; retry later.");
    }

    public static ApiError internal(String message) {
        return new ApiError(500, SERVER_ERROR, "internal_error", null, message);
    }

    public static ApiError notReady() {
        return new ApiError(503, SERVER_ERROR, "not_ready", null, "The server is loading its models; retry shortly.");
    }

    public static ApiError shuttingDown() {
        return new ApiError(503, SERVER_ERROR, "shutting_down", null, "The server is shutting down.");
    }

    public static ApiError timeout(String message) {
        return new ApiError(504, SERVER_ERROR, "timeout", null, message);
    }

    public int status() {
        return status;
    }

    /** Whether a client should retry after a pause (sent with a Retry-After header). */
    public boolean retryable() {
        return status == 429 || status == 503;
    }

    public Body body() {
        return new Body(new Detail(getMessage(), type, param, code));
    }
}
