package dev.fraudscorer.topics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SharedSchemaResolverTest {

    @Test
    void oneResolverPerRegistryAndRole() {
        final SharedSchemaResolver<Object> a = SharedSchemaResolver.of("http://127.0.0.1:1/apis/registry/v3", "reader");
        final SharedSchemaResolver<Object> b = SharedSchemaResolver.of("http://127.0.0.1:1/apis/registry/v3", "reader");
        a.close();
        assertTrue(a.sharesWith(b));
        assertTrue(b.sharesWith(SharedSchemaResolver.of("http://127.0.0.1:1/apis/registry/v3", "reader")),
                "still shared after one closed");
        assertFalse(a.sharesWith(SharedSchemaResolver.of("http://127.0.0.1:1/apis/registry/v3", "writer")));
        assertFalse(a.sharesWith(SharedSchemaResolver.of("http://127.0.0.1:2/apis/registry/v3", "reader")));
    }
}
