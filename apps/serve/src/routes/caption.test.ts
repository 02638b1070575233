import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { heicHeader, readImageFixture, type ImageFixtureName } from '@imgcap/image-io/fixtures';
import { buildApp } from '../app.js';
import { FakeCaptionService } from '../test-helpers/fake-service.js';
import { bytesUpload, encodeForm, fixtureForm, fixtureUpload, type EncodedForm } from '../test-helpers/multipart.js';

let engine: FakeCaptionService;
let app: FastifyInstance;

beforeEach(async () => {
  engine = new FakeCaptionService();
  app = await buildApp({ service: engine, limits: { maxUploadBytes: 64 * 1024 } });
});
afterEach(() => app.close());

const post = (form: EncodedForm, query = '') =>
  app.inject({ method: 'POST', url: `/caption${query}`, payload: form.payload, headers: form.headers });

function expectError(response: { statusCode: number; json(): unknown }, status: number, code: string) {
  expect({ status: response.statusCode, code: (response.json() as { error: { code: string } }).error?.code }).toEqual({
    status,
    code,
  });
}

describe('POST /caption with real images', () => {
  it.each([
    ['jpeg', 'photo.jpg'],
    ['png', 'photo.png'],
    ['webp', 'photo.webp'],
    ['greyPng', 'grey.png'],
  ] as [ImageFixtureName, string][])('captions a %s, resized to the engine input size', async (name, filename) => {
    const response = await post(await fixtureUpload(name, filename));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ image: filename, tokens: ['a', expect.any(String), 'picture'], score: -1.5 });
    expect(body.caption).toBe(body.tokens.join(' '));
    expect(body.timing_ms).toBeGreaterThanOrEqual(0);
    expect(body).not.toHaveProperty('attention');
    const { image } = engine.received[0];
    expect([image.width, image.height, image.data.length]).toEqual([32, 32, 32 * 32 * 3]);
  });

  it.each([
    ['rgbaPng', 'a red picture'],
    ['cmykJpeg', 'a red picture'],
    ['rgb16Png', 'a green picture'],
    ['grey16Png', 'a grey picture'],
    ['animatedGif', 'a red picture'], // first frame red, second blue
  ] as [ImageFixtureName, string][])('converts %s to sRGB before captioning', async (name, caption) => {
    const response = await post(await fixtureUpload(name));
    expect(response.statusCode).toBe(200);
    expect(response.json().caption).toBe(caption);
  });

  it('captions an AVIF (encoded by sharp), resized like any other upload', async () => {
    const red = await sharp({ create: { width: 70, height: 46, channels: 3, background: '#e01010' } })
      .avif()
      .toBuffer();
    const response = await post(await bytesUpload(red, 'photo.avif'));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ image: 'photo.avif', caption: 'a red picture' });
    const photo = await post(
      await bytesUpload(
        await sharp(await readImageFixture('png'))
          .avif()
          .toBuffer(),
        'x.avif',
      ),
    );
    expect(photo.statusCode).toBe(200);
    const { image } = engine.received[1];
    expect([image.width, image.height, image.originalWidth, image.originalHeight]).toEqual([32, 32, 96, 64]);
  });

  it('hands the engine the EXIF-oriented image (top red, bottom blue)', async () => {
    expect((await post(await fixtureUpload('exifRotatedJpeg'))).statusCode).toBe(200);
    const { data } = engine.received[0].image;
    const bottomRow = (32 * 31 + 16) * 3;
    expect(data[16 * 3]).toBeGreaterThan(200);
    expect(data[bottomRow + 2]).toBeGreaterThan(200);
    expect(data[bottomRow]).toBeLessThan(60);
  });

  it('returns the client file name as text, never as a path', async () => {
    const response = await post(await fixtureUpload('jpeg', '../../etc/evil\u0007.jpg'));
    expect(response.json().image).toBe('evil.jpg');
  });

  it('passes beam, max_length and no_repeat_ngram_size to the engine and adds attention on request', async () => {
    const response = await post(
      await fixtureUpload('rgbaPng'),
      '?beam=3&max_length=2&no_repeat_ngram_size=3&attention=1',
    );
    expect(response.statusCode).toBe(200);
    expect(engine.received[0].options).toEqual({ beam: 3, maxLength: 2, noRepeatNgramSize: 3 });
    expect(response.json()).toMatchObject({
      tokens: ['a', 'red'],
      attention: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ],
      grid_size: [2, 2],
    });
  });

  it.each([
    '?beam=0',
    '?beam=9',
    '?beam=two',
    '?max_length=65',
    '?max_length=0',
    '?no_repeat_ngram_size=11',
    '?attention=yes',
    '?beams=2',
  ])('refuses query %s with 400 before reading the image', async (query) => {
    expectError(await post(await fixtureUpload('jpeg'), query), 400, 'invalid_request');
    expect(engine.received).toHaveLength(0);
  });
});

describe('POST /caption refusals', () => {
  it.each([
    ['pngBomb', 413, 'too_many_pixels'],
    ['truncatedHeaderJpeg', 422, 'corrupt_image'],
    ['truncatedBodyJpeg', 422, 'truncated_image'],
    ['svg', 415, 'unsupported_image'],
    ['tiff', 415, 'unsupported_image'],
    ['empty', 400, 'empty_file'],
  ] as [ImageFixtureName, number, string][])('%s → %i %s', async (name, status, code) => {
    expectError(await post(await fixtureUpload(name)), status, code);
    expect(engine.received).toHaveLength(0);
  });

  it.each(['IMG_0001.HEIC', 'IMG_0001.jpg'])(
    'refuses an iPhone HEIC (%s) with 415 saying how to convert it',
    async (name) => {
      const response = await post(await bytesUpload(heicHeader(), name));
      expectError(response, 415, 'heic_not_supported');
      const { message } = response.json().error;
      expect(message).toMatch(/^HEIC\/HEIF images \(the iPhone camera’s default format\) are not supported/);
      expect(message).toContain('Settings → Camera → Formats → Most Compatible');
      expect(message).toMatch(/sips -s format jpeg.*heif-convert/);
      expect(engine.received).toHaveLength(0);
    },
  );

  it('refuses HTML named .jpg by its bytes, not its name (415)', async () => {
    const response = await post(await fixtureUpload('html', 'cat.jpg'));
    expectError(response, 415, 'unsupported_image');
    expect(response.json().error.message).toMatch(/not an image/);
  });

  it('refuses an upload over the byte limit with 413', async () => {
    // photo.png is 12.9 KB; the limit here is 4 KB.
    const small = await buildApp({ service: engine, limits: { maxUploadBytes: 4096 } });
    const form = await fixtureUpload('png');
    const response = await small.inject({
      method: 'POST',
      url: '/caption',
      payload: form.payload,
      headers: form.headers,
    });
    expectError(response, 413, 'upload_too_large');
    await small.close();
  });

  it('refuses two files with 400', async () => {
    const form = await fixtureForm('jpeg');
    form.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'second.jpg');
    expectError(await post(await encodeForm(form)), 400, 'too_many_files');
  });

  it('refuses a wrong field name with 400 naming it', async () => {
    const response = await post(await encodeForm(await fixtureForm('jpeg', 'a.jpg', 'image')));
    expectError(response, 400, 'unexpected_field');
    expect(response.json().error.message).toContain('"image"');
  });

  it('refuses an extra text field with 400', async () => {
    const form = await fixtureForm('jpeg');
    form.append('note', 'hello');
    expectError(await post(await encodeForm(form)), 400, 'unexpected_field');
  });

  it('refuses a form without a file with 400', async () => {
    expectError(await post(await encodeForm(new FormData())), 400, 'missing_file');
  });

  it('refuses a truncated multipart body with 400', async () => {
    const form = await fixtureUpload('jpeg');
    expectError(await post({ ...form, payload: form.payload.subarray(0, 300) }), 400, 'malformed_multipart');
  });

  it('refuses multipart without a boundary with 400', async () => {
    const response = await post({ payload: Buffer.from('x'), headers: { 'content-type': 'multipart/form-data' } });
    expectError(response, 400, 'malformed_multipart');
  });

  it.each([
    ['application/json', '{"file":"x"}'],
    ['image/jpeg', 'raw bytes'],
    ['application/x-www-form-urlencoded', 'file=x'],
  ])('refuses a %s body with 415', async (contentType, payload) => {
    const response = await post({ payload: Buffer.from(payload), headers: { 'content-type': contentType } });
    expectError(response, 415, 'not_multipart');
  });

  it('answers an engine failure with a 500 that leaks nothing', async () => {
    engine.failWith = new Error('tensor shape [1,7,7,1280] at /secret/path');
    const response = await post(await fixtureUpload('jpeg'));
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
  });

  it('answers 501 when attention is asked of an engine that has none', async () => {
    engine.caption = async () => ({ caption: 'a dog', words: ['a', 'dog'], score: -1 });
    expectError(await post(await fixtureUpload('jpeg'), '?attention=1'), 501, 'attention_unavailable');
  });

  it('answers unknown routes with JSON 404', async () => {
    expectError(await app.inject({ method: 'GET', url: '/nope' }), 404, 'not_found');
  });
});
