package dev.specd.serving;

import dev.specd.querylog.QueryLog;
import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.TopLogprobs;
import dev.specd.serving.scheduler.Ending;
import dev.specd.serving.scheduler.Generation;
import dev.specd.serving.scheduler.GenerationObserver;
import dev.specd.serving.scheduler.Provenance;
import dev.specd.serving.scheduler.Update;
import dev.specd.verifier.GenerationRequest;
import dev.specd.verifier.Sequence;
import dev.specd.verifier.SpeculativeDecoder.StepOutput;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds query-log records on the inference thread and offers them to the log, which never blocks.
 * The target's distributions come from the verification pass already computed: each emitted token's
 * raw logits row is reduced to its top-k log-probabilities as it arrives (O(vocabulary) per token),
 * so that no vocabulary-sized array outlives its step. Each record names the draft version its
 * response names. Requests with {@code "store": false} are skipped, as are generations that failed
 * or produced nothing.
 */
final class QueryLogRecorder implements GenerationObserver {

    /** The metadata key whose value is a record's domain. */
    static final String DOMAIN_KEY = "domain";

    private final QueryLog log;
    private final int topK;
    private final String drafter;
    /** Inference thread only: the distributions of each logged generation in flight. */
    private final Map<Generation, List<TopLogprobs>> distributions = new IdentityHashMap<>();

    QueryLogRecorder(QueryLog log, int topK, String drafter) {
        this.log = log;
        this.topK = topK;
        this.drafter = drafter;
    }

    @Override
    public void stepped(Generation generation, StepOutput output) {
        if (generation.provenance() == null) {
            return;
        }
        List<TopLogprobs> rows = distributions.computeIfAbsent(generation, ignored -> new ArrayList<>());
        for (float[] logits : output.targetLogits()) {
            rows.add(TopLogprobs.fromLogits(logits, topK));
        }
    }

    @Override
    public void ended(Generation generation, Sequence sequence, Update.Result result) {
        List<TopLogprobs> rows = distributions.remove(generation);
        Provenance provenance = generation.provenance();
        if (provenance == null || sequence == null || rows == null || result.ending() == Ending.FAILED) {
            return;
        }
        GenerationRequest request = generation.request();
        Map<String, String> metadata = provenance.metadata();
        log.offer(new QueryRecord(provenance.requestId(), provenance.createdAtMillis(), provenance.endpoint(),
                request.prompt(), sequence.generated(), request.sampling().temperature(), request.sampling().topK(),
                request.sampling().topP(), provenance.seed(), request.maxTokens(), provenance.user(), metadata,
                metadata.get(DOMAIN_KEY), result.draftVersion(), drafter, sequence.stats().draftedPerStep(),
                sequence.stats().acceptedPerStep(), rows));
    }
}
