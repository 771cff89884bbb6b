package dev.vstream.qa;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the QA service, bound from {@code vstream.qa.*} (env {@code VSTREAM_QA_*}).
 *
 * @param modelDir checkpoint folder of the hybrid LM (Hugging Face layout: config.json, *.safetensors,
 *                 tokenizer.json); read by the QA issue, nothing is loaded from it yet
 */
@Validated
@ConfigurationProperties("vstream.qa")
public record QaProperties(@NotNull @DefaultValue("/models") Path modelDir) {
}
