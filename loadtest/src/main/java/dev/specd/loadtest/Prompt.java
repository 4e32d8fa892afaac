package dev.specd.loadtest;

/** One prompt of a workload, with the domain that tags its requests and the sampling it is sent with. */
public record Prompt(String domain, String text, Sampling sampling) {}
