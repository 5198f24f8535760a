#!/usr/bin/env python3
"""Writes the hand-made regression inputs of IxgbeFuzzTest (one operation: a byte choosing the case
of IxgbeFuzzTest.run's switch, then its fields; FuzzBytes format). Run from jdma-fuzz."""
import os, struct

OUT = 'src/test/resources/org/jdma/fuzz/IxgbeFuzzTestInputs/garbageDescriptorsAndFramesAreCountedAndStayInTheWindow'
# IxgbeFuzzTest.REGISTERS indexes
RDBAL0, RDBAH0, RDLEN0, RDH0, RDT0, RXDCTL0, SRRCTL0, TDBAL0, TDBAH0, TDLEN0, TDH0, TDT0, TXDCTL0 = range(13)
RXCTRL = 19
WIDTH_4, WIDTH_8 = 2, 3

def u16(v): return struct.pack('<H', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))
BASES = (RDBAL0, TDBAL0)  # their value is preceded by a choice: 0 = an offset in the window, else any value
def register(r, value, width=WIDTH_4): return bytes([0, r]) + (bytes([1]) if r in BASES else b'') + u64(value) + bytes([width])
def base_in_window(r, offset128, width=WIDTH_4): return bytes([0, r, 0]) + u16(offset128) + bytes([width])
def window(offset, data): return bytes([2]) + u16(offset) + bytes([len(data)]) + data
def tx(offset, length, eop=True): return bytes([3, 0]) + u16(offset) + bytes([0, (length - 60) // 4, 0, 1 if eop else 0, 0])
def frame(length, head=b''): return bytes([4]) + u16(length - 14) + bytes([len(head)]) + head
def read(offset): return bytes([5]) + u16(offset) + bytes([0])
def run(units): return bytes([6]) + u16(units)

ETH = bytes.fromhex('ffffffffffff' '020000000001' '0800')
seeds = {
    'seed-empty': b'',
    # frames of several sizes received into the ring, one spanning buffers, one jumbo, a runt header
    'seed-receive': frame(60, ETH) + frame(1514, ETH) + frame(3000, ETH) + frame(9000, ETH) + frame(14, ETH)
        + run(4000) + read(0x1010) + read(0x1018),
    # two frames sent, one in two descriptors (EOP only on the second), one with a buffer outside the window
    'seed-transmit': tx(0, 60) + tx(0x800, 128, eop=False) + tx(0x1000, 64) + run(4000) + read(0x6010),
    # the receive ring moved outside the window (fetch blocked), then a tail past the ring, then frames
    'seed-rings-outside-window': register(RDBAL0, 0x0, WIDTH_4) + register(RDBAH0, 0) + register(RDT0, 5)
        + frame(100, ETH) + run(2000) + register(RDT0, 0xFFFF) + register(RDLEN0, 0x7) + frame(200, ETH) + run(2000)
        + base_in_window(TDBAL0, 3) + tx(0, 100) + run(2000),
    # garbage descriptors written over the receive ring, then frames
    'seed-garbage-descriptors': window(0, bytes(range(64))) + window(0x40, b'\xff' * 64) + frame(300, ETH) + frame(300, ETH)
        + run(3000) + register(RXCTRL, 0) + frame(64, ETH) + run(100),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
