#!/usr/bin/env python3
"""Writes the hand-made regression inputs of VtdUnitFuzzTest (field format: FuzzBytes, ops: the test's switch)."""
import os, struct, sys

REG = dict(GCMD=0, RTADDR=1, CCMD=2, FSTS=3, FECTL=4, IQT=7, IQA=8, ICS=9, IOTLB=11, FRCD_HI=14)
W = {1: 0, 2: 1, 4: 2, 8: 3}
TE, SRTP, QIE = 1 << 31, 1 << 30, 1 << 26

def mmio(reg, width, value): return bytes([0, REG[reg], W[width]]) + struct.pack('<Q', value & (2**64 - 1))
def mmio_any(off, width, value): return bytes([1]) + struct.pack('<H', off) + bytes([W[width]]) + struct.pack('<Q', value)
def mmio_read(off, width): return bytes([2]) + struct.pack('<H', off) + bytes([W[width]])
def cursor(iqa=False): return bytes([3, 1 if iqa else 0])
def chase(index): return bytes([4]) + struct.pack('<H', index)
def ram(off, data): return bytes([5]) + struct.pack('<H', off) + bytes([len(data)]) + data
def dma(port, write, bus, length): return bytes([6, port, 0 if write else 1, 0]) + struct.pack('<QH', bus, length)

def q(*vals): return b''.join(struct.pack('<Q', v) for v in vals)

ROOT, CTX, L3, L2, L1, PAGE = 0x10000, 0x11000, 0x12000, 0x13000, 0x14000, 0x20000
RW = 3
COPY_ENGINE_DEVFN = 4 << 3

def translated_tables():
    s = mmio('RTADDR', 8, ROOT) + cursor()
    s += ram(0, q(CTX | 1, 0)) + chase(0)                          # root entry, bus 0
    s += ram(COPY_ENGINE_DEVFN * 16, q(L3 | 1, 1 | 1 << 8))         # context: P, TT 0, 39-bit AW, DID 1
    s += chase(COPY_ENGINE_DEVFN * 2) + ram(0, q(L2 | RW)) + chase(0) + ram(0, q(L1 | RW)) + chase(0)
    s += ram(0, q(PAGE | RW))                                      # IOVA 0 -> PAGE, read/write
    s += mmio('GCMD', 4, SRTP) + mmio('GCMD', 4, TE)
    return s

seeds = {
    'seed-empty': b'',
    # Tables for the copy engine, translation on; DMA to the mapped page, past it, across its end,
    # and from the rogue device (no context entry); then the fault records are read and cleared.
    'seed-translated-dma': translated_tables()
        + dma(0, True, 0, 256) + dma(0, True, 0x1000, 16) + dma(0, False, 0, 4096) + dma(0, False, 0xFFF, 2)
        + dma(1, True, 0, 64) + mmio_read(0x34, 4) + mmio_read(0x220, 8) + mmio('FRCD_HI', 8, 1 << 63)
        + mmio('FSTS', 4, 0xFF),
    # Same tables, then the page-table entry is overwritten with garbage (reserved bits, a superpage
    # bit at the last level, an address outside RAM) under a live, cached translation.
    'seed-corrupt-tables': translated_tables() + dma(0, True, 0, 8)
        + ram(0, q(0xFFFF_FFFF_FFFF_FFFF)) + mmio('IOTLB', 8, 1 << 63 | 1 << 60) + dma(0, True, 0, 8)
        + ram(0, q(0x7F_FFFF_F000 | 0x83)) + dma(0, False, 0, 4096),
    # Queued invalidation: a wait descriptor with status write, an invalid descriptor type, and a
    # tail beyond the queue; unaligned and odd-width register writes on the way.
    'seed-invalidation-queue': mmio('IQA', 8, 0x30000) + cursor(iqa=True)
        + ram(0, q(0x25 | 1 << 32, 0x31000)) + ram(16, q(0xF, 0)) + mmio('GCMD', 4, QIE)
        + mmio('IQT', 8, 16) + mmio('IQT', 8, 32) + mmio_read(0x34, 4) + mmio('FSTS', 4, 0x10)
        + mmio('IQT', 8, 0xFFFF0) + mmio_any(0x1B, 2, 0xFFFF) + mmio_any(0xFFF, 8, -1 & (2**64 - 1))
        + mmio('CCMD', 8, 1 << 63 | 1 << 61),
}

out = sys.argv[1]
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
