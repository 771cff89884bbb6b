/**
 * Text to token ids and back: {@link dev.vstream.model.tokenizer.Tokenizer} runs a checkpoint's
 * Hugging Face {@code tokenizer.json} through DJL's binding of the Rust {@code tokenizers}
 * library (offline, natives from the jar) and reads the special token ids
 * ({@link dev.vstream.model.tokenizer.SpecialTokens}) from the checkpoint's configs.
 */
package dev.vstream.model.tokenizer;
