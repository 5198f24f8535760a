#!/usr/bin/env python3
"""Writes the hand-made regression inputs of NvmeFuzzTest (one operation: a byte choosing the case
of NvmeFuzzTest.run's switch, then its fields; FuzzBytes format). Run from jdma-fuzz."""
import os, struct

OUT = 'src/test/resources/org/jdma/fuzz/NvmeFuzzTestInputs/garbageCommandsCompleteOrFailTheControllerAndStayInTheWindow'
OPCODES = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x0C, 0x08, 0x09]
PAGE = 4096
DOORBELLS = 0x1000
WIDTH_4 = 2

def u16(v): return struct.pack('<H', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))
def in_window(off): return bytes([0]) + u16(off)             # an IOVA inside the mapped window
def anywhere(v): return bytes([1]) + u64(v)
def dw(v): return bytes([1]) + u64(v)                        # a CDW taken as a whole (low 32 bits)

def submit(opcode_index, prp1, prp2, cdws, flags=0, cid=0, nsid=1):
    cdws = list(cdws) + [0] * (6 - len(cdws))
    return (bytes([3, 1, opcode_index, flags]) + u16(cid) + bytes([nsid]) + prp1 + prp2
            + b''.join(dw(v) for v in cdws))
def window_bytes(off, data): return bytes([2]) + u16(off) + bytes([len(data)]) + data
def doorbell(offset, value): return bytes([1]) + u16(offset) + bytes([WIDTH_4]) + u64(value)
def run(units): return bytes([5]) + u16(units)
def read(offset): return bytes([4]) + u16(offset)

def sqe(opcode, cid, nsid, prp1, prp2, cdw10=0, cdw11=0, cdw12=0, flags=0):
    return struct.pack('<BBHI', opcode, flags, cid, nsid) + bytes(16) + u64(prp1) + u64(prp2) + struct.pack('<6I', cdw10, cdw11, cdw12, 0, 0, 0)

IOVA = 0x1_0000_0000
IDENTIFY, CREATE_CQ, CREATE_SQ = OPCODES.index(0x06), OPCODES.index(0x05), OPCODES.index(0x01)
create_io_queues = (submit(CREATE_CQ, in_window(3 * PAGE), in_window(0), [15 << 16 | 1, 1], cid=1, nsid=0)
                    + submit(CREATE_SQ, in_window(4 * PAGE), in_window(0), [15 << 16 | 1, 1 << 16 | 1], cid=2, nsid=0)
                    + run(0xFFFF))
SQ1_DOORBELL = DOORBELLS + 2 * 4

seeds = {
    'seed-empty': b'',
    'seed-identify-controller': submit(IDENTIFY, in_window(8 * PAGE), in_window(0), [1], cid=7, nsid=0) + run(0xFFFF) + read(0x1C),
    'seed-io-write-read': create_io_queues + window_bytes(10 * PAGE, b'jdma' * 16)
        + window_bytes(4 * PAGE, sqe(0x01, 3, 1, IOVA + 10 * PAGE, 0, cdw12=7))
        + window_bytes(4 * PAGE + 64, sqe(0x02, 4, 1, IOVA + 12 * PAGE, 0, cdw12=7))
        + doorbell(SQ1_DOORBELL, 2) + run(0xFFFF),
    # Reads blocks it never wrote: on a reused machine they must be zero, as on a new one.
    'seed-io-read-only': create_io_queues
        + window_bytes(4 * PAGE, sqe(0x02, 3, 1, IOVA + 12 * PAGE, 0, cdw12=7))
        + doorbell(SQ1_DOORBELL, 1) + run(0xFFFF),
    # PRP2 points at a list in the window whose second entry points outside it: the read must fail.
    'seed-prp-list-outside-window': create_io_queues
        + window_bytes(13 * PAGE, u64(IOVA + 14 * PAGE) + u64(0x7_0000_0000) + u64(IOVA + 15 * PAGE))
        + window_bytes(4 * PAGE, sqe(0x02, 5, 1, IOVA + 9 * PAGE, IOVA + 13 * PAGE, cdw12=31))
        + doorbell(SQ1_DOORBELL, 1) + run(0xFFFF),
    # An SGL (PSDT 01): a last segment descriptor in the entry, pointing at data and a next segment; that one descriptor points at a segment holding a bad descriptor.
    'seed-sgl-chain': create_io_queues
        + window_bytes(5 * PAGE, struct.pack('<QIxxxB', IOVA + 11 * PAGE, 512, 0x00) + struct.pack('<QIxxxB', IOVA + 6 * PAGE, 32, 0x30))
        + window_bytes(6 * PAGE, struct.pack('<QIxxxB', IOVA + 7 * PAGE, 512, 0x00) + struct.pack('<QIxxxB', 0, 0, 0xF0))
        + window_bytes(4 * PAGE, sqe(0x02, 6, 1, IOVA + 5 * PAGE, 32 | 0x30 << 56, cdw12=1, flags=0x40))
        + doorbell(SQ1_DOORBELL, 1) + run(0xFFFF),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
