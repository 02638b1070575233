// Test-only: the first bytes of an iPhone HEIC photo. sharp's prebuilt libvips cannot encode (or decode) HEVC, so
// tests use the header an iPhone writes: an ftyp box (major brand heic; mif1, miaf, MiHB, heic compatible) and the
// start of the meta box that follows it.

export function heicHeader(): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x24]),
    Buffer.from('ftypheic\0\0\0\0mif1MiHEmiafMiHBheic', 'latin1'),
  ]);
  const meta = Buffer.concat([
    Buffer.from([0, 0, 0x0e, 0x5a]),
    Buffer.from('meta\0\0\0\0', 'latin1'),
    Buffer.from([0, 0, 0, 0x22]),
    Buffer.from('hdlr\0\0\0\0\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1'),
  ]);
  return Buffer.concat([ftyp, meta]);
}
