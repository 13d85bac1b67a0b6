package dev.fraudscorer.control;

/**
 * One published version of one model, written {@code <model>/<version>} wherever it travels as text: the key of a
 * {@code model-registry} record, a serving description, a rejection message.
 */
public record ModelRef(String model, int version) {

    public ModelRef {
        if (model == null || model.isBlank() || model.contains("/")) {
            throw new IllegalArgumentException("a model name is non-empty text without '/': '" + model + "'");
        }
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1: " + version);
        }
    }

    /** Reads {@code <model>/<version>}. */
    public static ModelRef parse(String text) {
        final int slash = text == null ? -1 : text.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not <model>/<version>");
        }
        try {
            return new ModelRef(text.substring(0, slash), Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not <model>/<version>: the version is not a number");
        }
    }

    @Override
    public String toString() {
        return model + "/" + version;
    }
}
