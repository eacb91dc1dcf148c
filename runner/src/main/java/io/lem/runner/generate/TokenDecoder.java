package io.lem.runner.generate;

/** Turns generated token ids into text (a tokenizer's decode). */
@FunctionalInterface
public interface TokenDecoder {

    String decode(int[] tokenIds);
}
