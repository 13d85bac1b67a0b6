package dev.fraudscorer.control;

/**
 * The one rule for which model-control record is in force, shared by the scorers (which apply it) and the CLI and
 * webhook (which build the next record on top of the one in force). Every record raises its model's generation by
 * one; a record that does not raise it is a replay or a race and changes nothing. They disagreed before: the CLI
 * took an equal generation as applied while the scorers ignored it, so the next command was built on a state no
 * scorer served.
 */
public final class ControlGeneration {

    private ControlGeneration() {
    }

    /**
     * @param applied    generation of the record in force, or null if none
     * @param candidate  generation of the record read
     * @param sameRecord whether the record read is the one in force, byte for byte (read again: a restore)
     * @return whether the record read is the one in force from now on
     */
    public static boolean supersedes(Long applied, long candidate, boolean sameRecord) {
        if (applied == null || sameRecord) {
            return true;
        }
        // Generation 0: records written before generations existed; any numbered record replaces them.
        return applied == 0 || candidate > applied;
    }
}
