/** Tokenization with the model's tokenizer.json, and the special token ids generation needs. */
package io.lem.runner.model.tokenizer;
