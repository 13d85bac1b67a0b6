package dev.fraudscorer.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model-control record says, without its signature: the part an operator's key signs. Its bytes are a JSON
 * object with the fields in a fixed order, so signer and verifier need no Avro and agree byte for byte.
 */
public record ControlContent(String modelName, int activeVersion, Integer previousVersion, Integer canaryVersion,
                             int canaryPercent, Integer shadowVersion, List<Integer> rolledBack, long generation,
                             String issuedBy, String reason, long issuedAtMs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ControlContent {
        rolledBack = rolledBack == null ? List.of() : List.copyOf(rolledBack);
    }

    /** The signed bytes. */
    public byte[] canonicalBytes() {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", "fraud-scorer model-control 1");
        fields.put("modelName", modelName);
        fields.put("activeVersion", activeVersion);
        fields.put("previousVersion", previousVersion);
        fields.put("canaryVersion", canaryVersion);
        fields.put("canaryPercent", canaryPercent);
        fields.put("shadowVersion", shadowVersion);
        fields.put("rolledBack", rolledBack);
        fields.put("generation", generation);
        fields.put("issuedBy", issuedBy);
        fields.put("reason", reason);
        fields.put("issuedAtMs", issuedAtMs);
        try {
            return JSON.writeValueAsBytes(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether this record only rolls back from {@code current}: the active version becomes the previous one, and
     * nothing else is chosen (the shadow stays, a canary stays or is cleared). What a rollback-only key may sign.
     */
    public boolean isRollbackFrom(ControlContent current) {
        return current != null && current.previousVersion() != null
                && activeVersion == current.previousVersion() && activeVersion != current.activeVersion()
                && Objects.equals(shadowVersion, current.shadowVersion())
                && (canaryVersion == null || (Objects.equals(canaryVersion, current.canaryVersion())
                && canaryPercent == current.canaryPercent()));
    }
}
