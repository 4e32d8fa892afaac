package dev.specd.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.model.SamplingParams;
import dev.specd.serving.api.ApiError;
import dev.specd.serving.api.ChatCompletionRequest;
import dev.specd.serving.api.CommonFields;
import dev.specd.serving.api.CompletionRequest;
import dev.specd.serving.scheduler.PinnedDraft;
import dev.specd.verifier.GenerationRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns a parsed request into a {@link CompletionPlan}, or refuses it with a 400 (404 for an unknown
 * model or draft version, 422 for a draft version that cannot serve) naming the parameter. Limits
 * follow OpenAI's API where it has them. Tokenizes, and loads pinned draft versions, so it runs on a
 * worker thread, never on the event loop.
 */
final class RequestValidator {

    /** OpenAI's completions default. */
    static final int DEFAULT_COMPLETION_MAX_TOKENS = 16;
    /** prompts × n: more would crowd out other requests' slots. */
    static final int MAX_CHOICES = 16;
    static final int MAX_STOPS = 4;
    static final int MAX_METADATA_PAIRS = 16;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;
    static final int MAX_USER = 256;
    private static final String DRAFT_VERSION_PARAM = "speculative.draft_version";

    private final Engine engine;
    private final int queueCapacity;

    RequestValidator(Engine engine, int queueCapacity) {
        this.engine = engine;
        this.queueCapacity = queueCapacity;
    }

    CompletionPlan completion(CompletionRequest request) {
        checkCommon(request);
        checkNoOp("logprobs", request.logprobs() == null || request.logprobs() == 0, "log-probabilities are not returned");
        checkNoOp("echo", request.echo() == null || !request.echo(), "echo is not implemented");
        checkNoOp("best_of", request.bestOf() == null || request.bestOf() == 1, "best_of is not implemented");
        checkNoOp("suffix", request.suffix() == null || request.suffix().isEmpty(), "suffix (insertion) is not implemented");
        List<int[]> prompts = prompts(request.prompt());
        int maxTokens = request.maxTokens() == null ? DEFAULT_COMPLETION_MAX_TOKENS : positive("max_tokens", request.maxTokens());
        return plan(Endpoint.COMPLETIONS, request, prompts, maxTokens, "prompt", List.of());
    }

    CompletionPlan chat(ChatCompletionRequest request) {
        checkCommon(request);
        checkNoOp("logprobs", request.logprobs() == null || !request.logprobs(), "log-probabilities are not returned");
        checkNoOp("top_logprobs", request.topLogprobs() == null || request.topLogprobs() == 0,
                "log-probabilities are not returned");
        if (request.maxTokens() != null && request.maxCompletionTokens() != null) {
            throw ApiError.invalid("max_tokens", "Give max_tokens or max_completion_tokens, not both.");
        }
        int[] prompt = engine.encodePrompt(ChatTemplate.render(messages(request.messages())));
        Integer asked = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        String askedName = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        // Chat's default, like OpenAI's: as many tokens as the context leaves.
        int maxTokens = asked == null ? Math.max(1, engine.contextLength() - prompt.length) : positive(askedName, asked);
        return plan(Endpoint.CHAT_COMPLETIONS, request, List.of(prompt), maxTokens, "messages",
                List.of(ChatTemplate.IMPLICIT_STOP));
    }

    private CompletionPlan plan(Endpoint endpoint, CommonFields request, List<int[]> prompts, int maxTokens,
            String promptParam, List<String> implicitStops) {
        int n = request.n() == null ? 1 : request.n();
        if (n < 1 || n > MAX_CHOICES) {
            throw ApiError.invalid("n", "n must be between 1 and " + MAX_CHOICES + ", got " + n + ".");
        }
        int choices = prompts.size() * n;
        if (choices > Math.min(MAX_CHOICES, queueCapacity)) {
            throw ApiError.invalid(promptParam, "prompts × n is " + choices + "; at most "
                    + Math.min(MAX_CHOICES, queueCapacity) + " choices fit one request.");
        }
        for (int[] prompt : prompts) {
            if (prompt.length + maxTokens > engine.contextLength()) {
                throw ApiError.contextLengthExceeded(promptParam, String.format(Locale.ROOT,
                        "This model's maximum context length is %d tokens. However, you requested %d tokens "
                                + "(%d in the %s, %d for the completion). Please reduce the %s or max_tokens.",
                        engine.contextLength(), prompt.length + maxTokens, prompt.length, promptParam, maxTokens, promptParam));
            }
        }
        SamplingParams sampling = sampling(request);
        List<String> stops = new ArrayList<>(stops(request.stop()));
        implicitStops.stream().filter(stop -> !stops.contains(stop)).forEach(stops::add);
        int maxDraftTokens = maxDraftTokens(request.speculative());
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
        List<GenerationRequest> generations = new ArrayList<>(choices);
        int promptTokens = 0;
        for (int[] prompt : prompts) {
            promptTokens += prompt.length;
            for (int i = 0; i < n; i++) {
                // Choices of one request draw different samples, reproducibly when a seed is given.
                generations.add(new GenerationRequest(prompt, sampling, seed + generations.size(), maxTokens, stops,
                        maxDraftTokens));
            }
        }
        boolean stream = Boolean.TRUE.equals(request.stream());
        if (request.streamOptions() != null && !stream) {
            throw ApiError.invalid("stream_options", "stream_options is only allowed when stream is true.");
        }
        boolean includeUsage = request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        String id = endpoint.idPrefix() + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        // Last, so that no refusal comes after the draft is held for the generations.
        PinnedDraft pinnedDraft = pinnedDraft(request.speculative(), generations.size()).orElse(null);
        return new CompletionPlan(endpoint, id, engine.modelId(), List.copyOf(generations), promptTokens,
                request.seed() != null, stream,
                includeUsage, !Boolean.FALSE.equals(request.store()), request.user(),
                request.metadata() == null ? Map.of() : Map.copyOf(request.metadata()), pinnedDraft);
    }

    private void checkCommon(CommonFields request) {
        if (request.model() != null && !request.model().equals(engine.modelId())) {
            throw ApiError.modelNotFound(request.model());
        }
        checkNoOp("frequency_penalty", request.frequencyPenalty() == null || request.frequencyPenalty() == 0,
                "penalties are not implemented");
        checkNoOp("presence_penalty", request.presencePenalty() == null || request.presencePenalty() == 0,
                "penalties are not implemented");
        checkNoOp("logit_bias", request.logitBias() == null || request.logitBias().isEmpty(), "logit_bias is not implemented");
        if (request.user() != null && request.user().length() > MAX_USER) {
            throw ApiError.invalid("user", "user must be at most " + MAX_USER + " characters.");
        }
        checkMetadata(request.metadata());
    }

    private SamplingParams sampling(CommonFields request) {
        double temperature = request.temperature() == null ? 1.0 : request.temperature();
        if (!(temperature >= 0 && temperature <= SamplingParams.MAX_TEMPERATURE)) {
            throw ApiError.invalid("temperature",
                    "temperature must be between 0 and " + SamplingParams.MAX_TEMPERATURE + ", got " + temperature + ".");
        }
        double topP = request.topP() == null ? 1.0 : request.topP();
        if (!(topP > 0 && topP <= 1)) {
            throw ApiError.invalid("top_p", "top_p must be in (0, 1], got " + topP + ".");
        }
        int topK = request.topK() == null ? 0 : request.topK();
        if (topK < 0) {
            throw ApiError.invalid("top_k", "top_k must be 0 (disabled) or positive, got " + topK + ".");
        }
        return new SamplingParams(temperature, topK, topP);
    }

    private static List<String> stops(List<String> stops) {
        if (stops == null) {
            return List.of();
        }
        if (stops.size() > MAX_STOPS) {
            throw ApiError.invalid("stop", "stop may hold at most " + MAX_STOPS + " sequences, got " + stops.size() + ".");
        }
        for (String stop : stops) {
            if (stop == null || stop.isEmpty()) {
                throw ApiError.invalid("stop", "stop sequences must be non-empty strings.");
            }
        }
        return stops;
    }

    private int maxDraftTokens(CommonFields.SpeculativeOptions options) {
        if (options == null) {
            return engine.maxDraftTokens();
        }
        if (Boolean.FALSE.equals(options.enabled())) {
            if (options.maxDraftTokens() != null && options.maxDraftTokens() != 0) {
                throw ApiError.invalid("speculative.max_draft_tokens", "max_draft_tokens must be 0 or absent when enabled is false.");
            }
            return 0;
        }
        if (options.maxDraftTokens() == null) {
            return engine.maxDraftTokens();
        }
        int tokens = options.maxDraftTokens();
        if (tokens < 0 || tokens > engine.maxDraftTokens()) {
            throw ApiError.invalid("speculative.max_draft_tokens",
                    "max_draft_tokens must be between 0 and " + engine.maxDraftTokens() + " on this server, got " + tokens + ".");
        }
        return tokens;
    }

    /**
     * The draft version the request pins, held for each of its generations, loaded here if it is not
     * yet; empty when it pins none or the one serving (the live drafter drafts for it then).
     */
    private Optional<PinnedDraft> pinnedDraft(CommonFields.SpeculativeOptions options, int generations) {
        if (options == null || options.draftVersion() == null) {
            return Optional.empty();
        }
        String version = options.draftVersion();
        if (Boolean.FALSE.equals(options.enabled())) {
            throw ApiError.invalid(DRAFT_VERSION_PARAM,
                    "draft_version names the draft that speculates; give it or enabled: false, not both.");
        }
        PinnedDrafts pins = engine.pinnedDrafts().orElseThrow(() -> ApiError.invalid(DRAFT_VERSION_PARAM,
                "The drafter '" + engine.drafterKind() + "' uses no draft model: there is no draft version to pin."));
        try {
            return pins.pin(version, generations);
        } catch (NoSuchElementException e) {
            throw ApiError.draftNotFound(DRAFT_VERSION_PARAM, version);
        } catch (IOException | IllegalArgumentException e) {
            throw ApiError.draftRefused(DRAFT_VERSION_PARAM, "Draft version '" + version + "' cannot be pinned: "
                    + e.getMessage() + ".");
        }
    }

    /** A string, a list of strings, a list of token ids, or a list of lists of token ids. */
    private List<int[]> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) {
            throw ApiError.invalid("prompt", "prompt is required.");
        }
        if (prompt.isTextual()) {
            return List.of(textPrompt(prompt.textValue()));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw ApiError.invalid("prompt", "prompt must be a string, a non-empty array of strings, or token ids.");
        }
        if (prompt.get(0).isIntegralNumber()) {
            return List.of(tokenPrompt(prompt));
        }
        if (prompt.size() > MAX_CHOICES) {
            throw ApiError.invalid("prompt", "at most " + MAX_CHOICES + " prompts fit one request, got " + prompt.size() + ".");
        }
        List<int[]> prompts = new ArrayList<>(prompt.size());
        for (JsonNode element : prompt) {
            if (element.isTextual()) {
                prompts.add(textPrompt(element.textValue()));
            } else if (element.isArray()) {
                prompts.add(tokenPrompt(element));
            } else {
                throw ApiError.invalid("prompt", "a list of prompts must hold strings or arrays of token ids only.");
            }
        }
        return prompts;
    }

    private int[] textPrompt(String text) {
        int[] tokens = engine.encodePrompt(text);
        if (tokens.length == 0) {
            throw ApiError.invalid("prompt", "prompt must not be empty.");
        }
        return tokens;
    }

    private int[] tokenPrompt(JsonNode ids) {
        if (ids.isEmpty()) {
            throw ApiError.invalid("prompt", "a token-id prompt must not be empty.");
        }
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
            JsonNode id = ids.get(i);
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() >= engine.vocabSize()) {
                throw ApiError.invalid("prompt", "token ids must be integers in [0, " + engine.vocabSize() + "), got " + id + ".");
            }
            tokens[i] = id.intValue();
        }
        return tokens;
    }

    private static List<ChatTemplate.Message> messages(List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty array.");
        }
        List<ChatTemplate.Message> rendered = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ChatCompletionRequest.Message message = messages.get(i);
            String param = "messages[" + i + "]";
            if (message == null) {
                throw ApiError.invalid(param, "a message must be an object.");
            }
            rendered.add(new ChatTemplate.Message(role(message.role(), param + ".role"), content(message.content(), param + ".content")));
        }
        return rendered;
    }

    private static ChatTemplate.Role role(String role, String param) {
        if (role == null) {
            throw ApiError.invalid(param, "role is required.");
        }
        return switch (role) {
            case "system", "developer" -> ChatTemplate.Role.SYSTEM;
            case "user" -> ChatTemplate.Role.USER;
            case "assistant" -> ChatTemplate.Role.ASSISTANT;
            default -> throw ApiError.invalid(param, "role must be system, developer, user or assistant, got '" + role + "'.");
        };
    }

    /** A string, or a list of text parts, concatenated. */
    private static String content(JsonNode content, String param) {
        if (content != null && content.isTextual()) {
            return content.textValue();
        }
        if (content == null || !content.isArray()) {
            throw ApiError.invalid(param, "content must be a string or an array of text parts.");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.isObject() || !"text".equals(part.path("type").asText(null)) || !part.path("text").isTextual()) {
                throw ApiError.invalid(param, "only {\"type\": \"text\", \"text\": ...} content parts are supported.");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }

    private static void checkMetadata(Map<String, String> metadata) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > MAX_METADATA_PAIRS) {
            throw ApiError.invalid("metadata", "metadata may hold at most " + MAX_METADATA_PAIRS + " pairs.");
        }
        for (Map.Entry<String, String> pair : metadata.entrySet()) {
            if (pair.getKey().length() > MAX_METADATA_KEY || pair.getValue() == null || pair.getValue().length() > MAX_METADATA_VALUE) {
                throw ApiError.invalid("metadata", "metadata keys must be at most " + MAX_METADATA_KEY
                        + " characters and values non-null strings of at most " + MAX_METADATA_VALUE + ".");
            }
        }
    }

    private static int positive(String param, int value) {
        if (value < 1) {
            throw ApiError.invalid(param, param + " must be at least 1, got " + value + ".");
        }
        return value;
    }

    private static void checkNoOp(String param, boolean noOp, String why) {
        if (!noOp) {
            throw ApiError.unsupported(param, param + " is not supported here: " + why + ".");
        }
    }
}
