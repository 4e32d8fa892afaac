package dev.specd.serving;

import dev.specd.serving.scheduler.PinnedDraft;
import dev.specd.verifier.GenerationRequest;
import java.util.List;
import java.util.Map;

/**
 * A validated request, ready for the scheduler: its generations (prompts × n, in OpenAI's choice
 * order: choice i is prompt i / n) and how to answer.
 *
 * @param promptTokens the prompts' tokens, each prompt counted once (for usage)
 * @param seeded whether the request gave a seed (its choices' seeds are then worth logging)
 * @param store false keeps the request out of the query log
 * @param pinnedDraft the draft version the choices draft with, held once for each of them; null for
 *     the version serving
 */
record CompletionPlan(Endpoint endpoint, String id, String model, List<GenerationRequest> choices, int promptTokens, boolean seeded, boolean stream,
        boolean includeUsage, boolean store, String user, Map<String, String> metadata, PinnedDraft pinnedDraft) {}
