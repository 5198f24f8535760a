package org.jdma.machine.dev.memcpy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where the CPU and the copy engine's device thread meet: the doorbell the CPU writes
 * (SUBMIT_INDEX) and what the engine writes per descriptor (FETCH_INDEX, COMPLETED, in progress,
 * descriptors fetched), each group with 128 bytes of padding on both sides:
 *
 * <pre>
 * | pad 128 | submitIndex | pad 128 | fetchIndex, completed, inProgress, fetched | pad 128 |
 *             CPU writes                device writes (one thread at a time)
 * </pre>
 *
 * <p>In threaded mode the two sides run on different cores. With fields of both in one cache line
 * (as when they were fields of the engine among its configuration), every store of one side takes
 * the line away from the other side's next read: false sharing, a cross-core transfer on each
 * doorbell and each descriptor. 128 bytes rather than 64 because x86 cores prefetch lines in
 * pairs. The layout relies on the JVM placing a superclass's fields before a subclass's; byte pads
 * leave no alignment gap a later field could be packed into.
 *
 * <p>FETCH_INDEX and COMPLETED are written by one thread at a time (the event thread, or the
 * device thread under the engine's lock) and only read elsewhere (MMIO read hooks, the idle
 * check), so their stores are release stores: a volatile store would put a full fence after every
 * descriptor, which stalls the device thread until its completion-record stores are visible.
 */
final class RingCursors extends RingCursorsPadAfter {

    private static final VarHandle FETCH_INDEX;
    private static final VarHandle COMPLETED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FETCH_INDEX = l.findVarHandle(RingCursorsDevice.class, "fetchIndex", int.class);
            COMPLETED = l.findVarHandle(RingCursorsDevice.class, "completed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** SUBMIT_INDEX as the CPU last wrote it (volatile: the device thread polls it). */
    int submitIndex() {
        return submitIndex;
    }

    void submitIndex(int index) {
        submitIndex = index;
    }

    int fetchIndex() {
        return fetchIndex;
    }

    void fetchIndexRelease(int index) {
        FETCH_INDEX.setRelease(this, index);
    }

    long completed() {
        return completed;
    }

    /** One more descriptor completed, with a release store. */
    void incrementCompletedRelease() {
        COMPLETED.setRelease(this, completed + 1);
    }

    /** A descriptor is being processed, or (event mode) a fetch event is scheduled. */
    boolean inProgress() {
        return inProgress;
    }

    void inProgress(boolean on) {
        inProgress = on;
    }

    /** Ring descriptors fetched since the machine was built. */
    long descriptorsFetched() {
        return descriptorsFetched;
    }

    void countFetched() {
        descriptorsFetched++;
    }

    /** Enable and RESET: both indexes back to slot 0 (under the engine's lock). */
    void resetIndexes() {
        fetchIndex = 0;
        submitIndex = 0;
    }

    /** RESET: COMPLETED back to 0. */
    void resetCompleted() {
        completed = 0;
    }
}

/** Keeps {@link RingCursors}' fields off the line of whatever object lies before it in memory. */
abstract class RingCursorsPadBefore {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/** The CPU's side: the doorbell. */
abstract class RingCursorsCpu extends RingCursorsPadBefore {
    volatile int submitIndex;
}

/** Between the doorbell and the engine's progress. */
abstract class RingCursorsPadBetween extends RingCursorsCpu {
    byte q000, q001, q002, q003, q004, q005, q006, q007, q008, q009, q010, q011, q012, q013, q014, q015;
    byte q016, q017, q018, q019, q020, q021, q022, q023, q024, q025, q026, q027, q028, q029, q030, q031;
    byte q032, q033, q034, q035, q036, q037, q038, q039, q040, q041, q042, q043, q044, q045, q046, q047;
    byte q048, q049, q050, q051, q052, q053, q054, q055, q056, q057, q058, q059, q060, q061, q062, q063;
    byte q064, q065, q066, q067, q068, q069, q070, q071, q072, q073, q074, q075, q076, q077, q078, q079;
    byte q080, q081, q082, q083, q084, q085, q086, q087, q088, q089, q090, q091, q092, q093, q094, q095;
    byte q096, q097, q098, q099, q100, q101, q102, q103, q104, q105, q106, q107, q108, q109, q110, q111;
    byte q112, q113, q114, q115, q116, q117, q118, q119, q120, q121, q122, q123, q124, q125, q126, q127;
}

/** The engine's side. */
abstract class RingCursorsDevice extends RingCursorsPadBetween {
    volatile int fetchIndex;
    volatile long completed;
    volatile boolean inProgress;
    long descriptorsFetched;
}

/** Keeps the engine's progress off the line of whatever object follows in memory. */
abstract class RingCursorsPadAfter extends RingCursorsDevice {
    byte r000, r001, r002, r003, r004, r005, r006, r007, r008, r009, r010, r011, r012, r013, r014, r015;
    byte r016, r017, r018, r019, r020, r021, r022, r023, r024, r025, r026, r027, r028, r029, r030, r031;
    byte r032, r033, r034, r035, r036, r037, r038, r039, r040, r041, r042, r043, r044, r045, r046, r047;
    byte r048, r049, r050, r051, r052, r053, r054, r055, r056, r057, r058, r059, r060, r061, r062, r063;
    byte r064, r065, r066, r067, r068, r069, r070, r071, r072, r073, r074, r075, r076, r077, r078, r079;
    byte r080, r081, r082, r083, r084, r085, r086, r087, r088, r089, r090, r091, r092, r093, r094, r095;
    byte r096, r097, r098, r099, r100, r101, r102, r103, r104, r105, r106, r107, r108, r109, r110, r111;
    byte r112, r113, r114, r115, r116, r117, r118, r119, r120, r121, r122, r123, r124, r125, r126, r127;
}
