package dev.specd.loadtest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The results of a run as they arrive, with running totals for the progress line. Thread-safe. */
final class ResultLog {

    private final List<RequestResult> results = new ArrayList<>();
    private long ok;
    private long drafted;
    private long accepted;

    synchronized void add(RequestResult result) {
        results.add(result);
        if (result.ok()) {
            ok++;
        }
        if (result.speculative() != null) {
            drafted += result.speculative().draftedTokens();
            accepted += result.speculative().acceptedTokens();
        }
    }

    synchronized long ok() {
        return ok;
    }

    synchronized long errors() {
        return results.size() - ok;
    }

    /** Accepted over drafted tokens of the responses so far; null before anything was drafted. */
    synchronized Double acceptance() {
        return Summary.ratio(accepted, drafted);
    }

    /** Every result, in the order the requests were sent. */
    synchronized List<RequestResult> inOrder() {
        List<RequestResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingLong(RequestResult::id));
        return sorted;
    }
}
