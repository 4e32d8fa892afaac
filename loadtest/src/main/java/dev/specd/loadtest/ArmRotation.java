package dev.specd.loadtest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Assigns arms to successive requests in shuffled blocks holding each arm once: the arms interleave
 * evenly (any stretch of the run serves them in nearly equal numbers, so drift in load or in the
 * draft touches all alike), while the shuffle keeps a fixed order from lining up with anything
 * periodic. Not thread-safe: {@link RequestSource} draws from it under its lock.
 */
final class ArmRotation {

    private final List<Arm> arms;
    private final Random random;
    private final List<Arm> block = new ArrayList<>();

    ArmRotation(List<Arm> arms, long seed) {
        if (arms.isEmpty()) {
            throw new IllegalArgumentException("no arm to send requests to");
        }
        this.arms = List.copyOf(arms);
        this.random = new Random(seed);
    }

    Arm next() {
        if (block.isEmpty()) {
            block.addAll(arms);
            Collections.shuffle(block, random);
        }
        return block.removeLast();
    }
}
