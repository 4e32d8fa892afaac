package dev.specd.loadtest;

import java.util.List;

/** A stretch of the run during which prompts are drawn from one set; {@code name} says which. */
public record Phase(String name, List<Prompt> prompts) {

    public Phase {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("phase " + name + " has no prompts");
        }
        prompts = List.copyOf(prompts);
    }
}
