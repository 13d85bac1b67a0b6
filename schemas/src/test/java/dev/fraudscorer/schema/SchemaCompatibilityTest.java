package dev.fraudscorer.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every schema must stay BACKWARD compatible with its committed previous version in {@code schemas/previous/},
 * so an incompatible change fails the build before the registry would refuse it.
 */
class SchemaCompatibilityTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path PREVIOUS = Path.of("previous");
    /** Types referenced by others are parsed first, as the code generator does. */
    private static final List<String> SHARED_TYPES = List.of("Decision.avsc", "ReasonCode.avsc");

    @TestFactory
    Stream<DynamicTest> everyPreviousSchemaCanBeReadByTheCurrentOne() throws IOException {
        final Schema.Parser current = parserWithSharedTypes(CURRENT);
        final Schema.Parser previous = parserWithSharedTypes(PREVIOUS);
        final List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(PREVIOUS)) {
            for (Path old : files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList()) {
                final String file = old.getFileName().toString();
                final Schema writer = parse(previous, old);
                final Schema reader = parse(current, CURRENT.resolve(file));
                tests.add(DynamicTest.dynamicTest(file, () -> {
                    final var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                    assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                            file + " is not BACKWARD compatible with its previous version: " + result.getDescription());
                }));
            }
        }
        assertFalse(tests.isEmpty(), "no previous schemas found under " + PREVIOUS.toAbsolutePath());
        return tests.stream();
    }

    @Test
    void everySchemaFileDeclaresOneTypeNamedLikeTheFileAndHasAPreviousVersion() throws IOException {
        try (Stream<Path> files = Files.list(CURRENT)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".avsc")).toList()) {
                final String name = file.getFileName().toString().replace(".avsc", "");
                final String json = Files.readString(file);
                assertTrue(json.contains("\"name\": \"" + name + "\""), file + " must declare type " + name);
                assertTrue(Files.exists(PREVIOUS.resolve(file.getFileName())),
                        file + " has no committed previous version in " + PREVIOUS + ": copy it there when it ships");
            }
        }
    }

    @Test
    void optionalFieldsAreNullFirstUnionsDefaultingToNull() {
        for (Schema schema : List.of(Transaction.getClassSchema(), FraudLabel.getClassSchema(),
                Verdict.getClassSchema(), ModelVersion.getClassSchema(), ModelControl.getClassSchema(),
                ScorerStatus.getClassSchema())) {
            for (Schema.Field field : schema.getFields()) {
                if (field.schema().getType() == Schema.Type.UNION) {
                    assertEquals(Schema.Type.NULL, field.schema().getTypes().get(0).getType(),
                            schema.getName() + "." + field.name() + " must be [\"null\", T]");
                    assertTrue(field.hasDefaultValue() && field.defaultVal() == org.apache.avro.JsonProperties.NULL_VALUE,
                            schema.getName() + "." + field.name() + " must default to null");
                }
            }
        }
    }

    private static Schema.Parser parserWithSharedTypes(Path dir) throws IOException {
        final Schema.Parser parser = new Schema.Parser();
        for (String shared : SHARED_TYPES) {
            parser.parse(Files.readString(dir.resolve(shared)));
        }
        return parser;
    }

    private static Schema parse(Schema.Parser parser, Path file) throws IOException {
        final String name = "dev.fraudscorer.schema." + file.getFileName().toString().replace(".avsc", "");
        final Schema known = parser.getTypes().get(name);
        return known != null ? known : parser.parse(Files.readString(file));
    }
}
