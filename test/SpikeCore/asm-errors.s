; Malformed text and binaries are refused with the place and the reason.
; RUN: not sf-asm %s -o %t.bin 2>&1 | FileCheck %s --check-prefix=TEXT
; TEXT: sf-asm: {{.*}}asm-errors.s: line 12, column 6: thr=1e3 is not an integer in [-2147483648, 2147483647]
;
; RUN: %python -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<4I', 0, 0x10000000, 8, 0x70000000))" %t.opcode
; RUN: not sf-asm -d %t.opcode 2>&1 | FileCheck %s --check-prefix=OPCODE
; OPCODE: sf-asm: {{.*}}: word 3 (byte offset 12): unknown opcode 0x7 in 0x70000000
;
; RUN: %python -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<2I', 0x30000000, 5))" %t.short
; RUN: not sf-asm -d %t.short 2>&1 | FileCheck %s --check-prefix=SHORT
; SHORT: sf-asm: {{.*}}: word 0 (byte offset 0): FIRE needs 2 operand word(s), the stream has 1
FIRE thr=1e3
;
; RUN: %python -c "import sys; open(sys.argv[1],'wb').write(b'\x00\x00\x00')" %t.odd
; RUN: not sf-asm -d %t.odd 2>&1 | FileCheck %s --check-prefix=ODD
; ODD: sf-asm: {{.*}}: 3 bytes is not a whole number of 32-bit words
