package dev.fraudscorer.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CompilerCpuTest {

    @Test
    void readsUserAndSystemTicksEvenWhenTheThreadNameHasSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        final String stat = "4242 (C2 Compiler) x) S 1 4242 4242 0 -1 4194368 10 0 0 0 731 29 0 0 20 0 1 0 100 0 0";
        assertEquals(760, CompilerCpu.ticksOf(stat));
    }

    @Test
    void aProcessThatIsGoneCountsZero() {
        assertEquals(0, CompilerCpu.nanos(Long.MAX_VALUE));
    }
}
