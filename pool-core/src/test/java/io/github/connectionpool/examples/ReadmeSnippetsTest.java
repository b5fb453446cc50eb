package io.github.connectionpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the README's Java blocks identical to the compiled and tested regions of {@link ReadmeExamplesTest}. */
class ReadmeSnippetsTest {

    private static final Pattern README_BLOCK =
            Pattern.compile("<!-- snippet: ([a-z-]+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SOURCE_REGION =
            Pattern.compile("// snippet: ([a-z-]+)\\n(.*?)\\n\\s*// end snippet", Pattern.DOTALL);

    @Test
    void everyReadmeSnippetIsTheCompiledExample() throws IOException {
        Map<String, String> readme = blocks(README_BLOCK, read(Path.of("..", "README.md")));
        Map<String, String> source = blocks(
                SOURCE_REGION,
                read(Path.of("src/test/java/io/github/connectionpool/examples/ReadmeExamplesTest.java")));

        assertThat(readme).as("snippets in README.md").isNotEmpty();
        assertThat(source.keySet())
                .as("every compiled example is shown in the README")
                .isEqualTo(readme.keySet());
        readme.forEach(
                (name, text) -> assertThat(text).as("README snippet '%s'", name).isEqualTo(source.get(name)));
    }

    private static String read(Path path) throws IOException {
        return Files.readString(path).replace("\r\n", "\n");
    }

    private static Map<String, String> blocks(Pattern pattern, String text) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            blocks.put(matcher.group(1), dedent(matcher.group(2)));
        }
        return blocks;
    }

    /** Removes the common indentation and surrounding blank lines, so that both sides compare as plain text. */
    private static String dedent(String block) {
        List<String> lines = new ArrayList<>(List.of(block.split("\n", -1)));
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        int indent = lines.stream()
                .filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length())
                .min()
                .orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return out.toString();
    }
}
