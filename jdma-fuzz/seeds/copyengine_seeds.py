#!/usr/bin/env python3
"""Writes the hand-made regression inputs of CopyEngineFuzzTest (one operation: a byte choosing the
case of CopyEngineFuzzTest.run's switch, then its fields; FuzzBytes format). Run from jdma-fuzz."""
import os, struct

OUT = 'src/test/resources/org/jdma/fuzz/CopyEngineFuzzTestInputs/garbageDescriptorsCompleteWithAStatusAndStayInTheWindow'
PAGE = 4096
WINDOW_BYTES = 32 * PAGE
IOVA = 0x1_0000_0000
# CopyEngineFuzzTest.OPCODES indexes
NOOP, BATCH, DRAIN, MEMMOVE, MEMFILL, COMPARE, CHAIN = range(7)
# CopyEngineFuzzTest.REGISTERS indexes
CONTROL, RING_BASE, RING_SIZE, ERROR, SUBMIT_INDEX, ERR_INT_HANDLE, PAGE_RESPONSE, RING_BASE_HI, STATUS, \
    MSIX0_ADDR, MSIX0_DATA, MSIX0_CONTROL, MSIX1_CONTROL = range(13)
WIDTH_4, WIDTH_8 = 2, 3
# flag bits of CopyEngineFuzzTest.flags(): FENCE, BOF, CRAV, RCR, RCI, CC, LINK_LAST
FENCE, BOF, CRAV, RCR, RCI, CC, LAST = 1, 2, 4, 8, 0x10, 0x20, 0x40
RECORD = CRAV | RCR

def u16(v): return struct.pack('<H', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))

# descriptor fields
def win(offset): return bytes([0]) + u16(offset)          # an address in the window
def near_end(back): return bytes([1, back])               # IOVA + window size - 1 - back
def below(back): return bytes([2, back])                  # IOVA - 1 - back
def anywhere(v): return bytes([3]) + u64(v)
def size(n): return bytes([0]) + u16(n)
def big_size(n): return bytes([1]) + u64(n)
def record(slot): return bytes([0, slot])                 # the record in the records page
def record_at(v): return bytes([1]) + u64(v)

def desc(op, flags, rec, src, dst, n, handle=0, next_link=None, raw_op=None, poke=None):
    """A descriptor's fields; next_link only for one placed in the window (case 4), which reads it."""
    d = (bytes([0, raw_op]) if raw_op is not None else bytes([1, op]))
    d += bytes([1, flags]) + rec + src + dst + n + bytes([handle])
    if next_link is not None:
        d += next_link
    return d + (bytes([0, poke[0], poke[1]]) if poke else bytes([1]))
def next_in_window(offset): return bytes([0]) + u16(offset // 64)
NO_NEXT = bytes([1]) + u64(0)                             # a batch member: the field must stay 0

def register(engine, reg, value, width=WIDTH_4): return bytes([0, engine, reg, 1]) + u64(value) + bytes([width])
def plausible(engine, reg, bits, width=WIDTH_4): return bytes([0, engine, reg, 0]) + u16(bits) + bytes([width])
def bar(engine, offset, value, width=WIDTH_4): return bytes([1, engine]) + u16(offset) + bytes([width]) + u64(value)
def window(offset, data): return bytes([2]) + u16(offset) + bytes([len(data)]) + data
def ring(engine, d): return bytes([3, engine]) + d
def place(offset, d): return bytes([4]) + u16(offset // 64) + d
def read(engine, offset): return bytes([5, engine]) + u16(offset)
def run(units): return bytes([6]) + u16(units)

SRC, DST, DST2, LIST, LINKS = 8 * PAGE, 10 * PAGE, 12 * PAGE, 4 * PAGE, 5 * PAGE
DATA = window(SRC, b'jdma' * 16) + window(SRC + 64, bytes(range(64)))

seeds = {
    'seed-empty': b'',
    # a copy, a fill and two compares (equal, different) on each engine, records and interrupts asked for
    'seed-copies': DATA
        + ring(0, desc(MEMMOVE, RECORD | RCI, record(0), win(SRC), win(DST), size(128), handle=0))
        + ring(0, desc(MEMFILL, RECORD, record(1), anywhere(0x0102030405060708), win(DST2), size(200)))
        + ring(0, desc(COMPARE, RECORD, record(2), win(SRC), win(DST), size(128)))
        + ring(0, desc(COMPARE, RECORD | RCI, record(3), win(SRC), win(SRC + 64), size(64), handle=2))
        + ring(1, desc(MEMMOVE, RECORD | RCI, record(8), win(SRC), win(DST + 0x800), size(64), handle=3))
        + ring(1, desc(MEMMOVE, RECORD, record(9), win(SRC + 1), win(DST), size(64)))  # misaligned: ADDR_ALIGN
        + ring(0, desc(DRAIN, RECORD | RCI, record(4), win(0), win(0), size(0)))
        + run(2000) + read(0, 0x30) + read(1, 0x1C),
    # a batch of three members (one of them a BATCH, which is BAD_OPCODE in a batch)
    'seed-batch': DATA
        + place(LIST, desc(MEMMOVE, 0, record(20), win(SRC), win(DST), size(64), next_link=NO_NEXT))
        + place(LIST + 64, desc(MEMFILL, RECORD, record(21), anywhere(0xAA), win(DST2), size(64), next_link=NO_NEXT))
        + place(LIST + 128, desc(BATCH, RECORD, record(22), win(LIST), win(0), size(2), next_link=NO_NEXT))
        + ring(0, desc(BATCH, RECORD | RCI, record(5), win(LIST), win(0), size(3), handle=1))
        + run(2000),
    # a chain of three links: copy, fill, compare (LAST), then one whose second link is outside the window
    'seed-chain': DATA
        + place(LINKS, desc(MEMMOVE, 0, record(0), win(SRC), win(DST), size(64), next_link=next_in_window(LINKS + 64)))
        + place(LINKS + 64, desc(MEMFILL, 0, record(0), anywhere(0x55), win(DST2), size(96), next_link=next_in_window(LINKS + 128)))
        + place(LINKS + 128, desc(COMPARE, LAST, record(0), win(SRC), win(DST), size(64), next_link=next_in_window(0)))
        + ring(0, desc(CHAIN, RECORD | RCI, record(6), win(LINKS), win(0), size(0), handle=1))
        + place(LINKS + 192, desc(NOOP, 0, record(0), win(0), win(0), size(0), next_link=bytes([1]) + u64(0x7000_0000)))
        + ring(1, desc(CHAIN, RECORD, record(10), win(LINKS + 192), win(0), size(0)))
        + run(4000),
    # faults: source outside the window, a copy across its end, a fill below it, a record outside it,
    # a BOF copy answered SUCCESS (faults again) then left to time out, then a ring moved outside (fetch fault)
    'seed-faulting': DATA
        + ring(0, desc(MEMMOVE, RECORD, record(0), anywhere(0x7000_0000), win(DST), size(64)))
        + ring(0, desc(MEMMOVE, RECORD, record(1), win(SRC), near_end(31), size(256)))
        + ring(0, desc(MEMFILL, RECORD, record(2), anywhere(0x11), below(15), size(64)))
        + ring(0, desc(MEMMOVE, RECORD, record_at(0x2000_0000), win(SRC), win(DST), size(64)))
        + ring(0, desc(MEMMOVE, RECORD | BOF | RCI, record(3), anywhere(0x7000_0000), win(DST), size(64), handle=0))
        + run(400) + plausible(0, PAGE_RESPONSE, 0) + run(2000)
        + plausible(1, CONTROL, 0) + register(1, RING_BASE, 0x3000_0000, WIDTH_8) + plausible(1, CONTROL, 5)
        + ring(1, desc(NOOP, RECORD, record(8), win(0), win(0), size(0))) + run(1000) + read(1, 0x28),
    # register traffic: a bad ring size, a doorbell past the ring, RESET with a descriptor in flight,
    # an MSI-X entry pointed into the window (the message is a memory write there), an error interrupt
    'seed-registers': plausible(0, CONTROL, 0) + plausible(0, RING_SIZE, 9) + plausible(0, CONTROL, 1) + read(0, 0x1C)
        + plausible(1, SUBMIT_INDEX, 200) + read(1, 0x1C) + plausible(1, ERROR, 0xFF)
        + register(1, MSIX0_ADDR, IOVA + 3 * PAGE, WIDTH_8)
        + ring(1, desc(NOOP, RECORD | RCI, record(12), win(0), win(0), size(0), handle=0))
        + plausible(0, RING_SIZE, 6) + plausible(0, CONTROL, 5)
        + ring(0, desc(MEMMOVE, RECORD, record(0), win(SRC), win(DST), size(4096)))
        + run(1) + plausible(0, CONTROL, 2) + run(3000)
        + bar(0, 0x1800, 0xFFFF_FFFF, WIDTH_8) + bar(0, 0x3, 0x55, 1) + read(0, 0x1800),
    # garbage: unknown opcode, flags outside the supported set, a non-zero reserved byte, a bad interrupt handle
    'seed-garbage': ring(0, desc(0, RECORD, record(0), win(0), win(0), size(8), raw_op=0x7F))
        + ring(0, bytes([1, MEMMOVE, 0, 0xFF, 0xFF, 0xFF]) + record(1) + win(SRC) + win(DST) + size(8) + bytes([0, 1]))
        + ring(0, desc(MEMMOVE, RECORD, record(2), win(SRC), win(DST), size(8), poke=(0x30, 1)))
        + ring(1, desc(NOOP, RECORD | RCI, record(13), win(0), win(0), size(0), handle=9))
        + ring(0, desc(MEMMOVE, RECORD, record(3), win(SRC), win(DST), big_size(0xFFFF_FFFF)))
        + run(2000),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
