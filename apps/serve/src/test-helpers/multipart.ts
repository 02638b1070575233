// Builds real multipart/form-data bodies (as a browser or curl sends them) for app.inject.
import { readImageFixture, type ImageFixtureName } from '@imgcap/image-io/fixtures';

export interface EncodedForm {
  payload: Buffer;
  headers: { 'content-type': string };
}

export async function encodeForm(form: FormData): Promise<EncodedForm> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

export async function fixtureForm(name: ImageFixtureName, filename = `upload-${name}`, field = 'file') {
  const form = new FormData();
  form.append(field, new Blob([await readImageFixture(name)]), filename);
  return form;
}

export async function fixtureUpload(name: ImageFixtureName, filename?: string): Promise<EncodedForm> {
  return encodeForm(await fixtureForm(name, filename));
}

/** One file of these bytes in the field "file". */
export async function bytesUpload(bytes: Uint8Array, filename: string): Promise<EncodedForm> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  return encodeForm(form);
}
