package dev.vstream.model.demo;

/**
 * The demo checkpoint's {@code tokenizer.json}: a Hugging Face byte-level BPE with one token per
 * byte and no merges, so every text round-trips and ids 0..255 are the bytes. Token strings use
 * GPT-2's byte-to-character table (printable Latin-1 bytes stand for themselves, the others for
 * code points from 256 on), which the {@code ByteLevel} pre-tokenizer and decoder expect.
 * Two added special tokens follow the bytes.
 */
final class ByteLevelTokenizer {

    /** Begin and end of text. */
    static final int END_OF_TEXT = 256;
    static final int PAD = 257;
    static final int VOCAB_SIZE = 258;

    private ByteLevelTokenizer() {
    }

    /** The character GPT-2's byte-level table gives byte {@code b}. */
    static char byteChar(int b) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable) {
            return (char) b;
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            boolean p = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            n += p ? 0 : 1;
        }
        return (char) (256 + n);
    }

    static String json() {
        StringBuilder vocab = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            vocab.append(b == 0 ? "" : ", ").append('"').append(escape(byteChar(b))).append("\": ").append(b);
        }
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {"id": %d, "content": "<|endoftext|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                    {"id": %d, "content": "<|pad|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
                  ],
                  "normalizer": null,
                  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                  "post_processor": null,
                  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                  "model": {
                    "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                    "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                    "vocab": {%s},
                    "merges": []
                  }
                }
                """.formatted(END_OF_TEXT, PAD, vocab);
    }

    private static String escape(char c) {
        return switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            default -> String.valueOf(c);
        };
    }
}
