import { h, setText } from './dom';

/** What the page asks of the rest of the app beyond the batch itself. */
export interface UploadActions {
  /** Uploads through the endpoint, or straight to `presignedUrl` when given (a one-off). */
  upload(jobId: string, presignedUrl?: string): void;
  uploadAll(): void;
  cancelUpload(jobId: string): void;
  setEndpoint(endpoint: string): void;
  setUploadWhenDone(on: boolean): void;
  endpoint: string;
  uploadWhenDone: boolean;
}

/** "Upload to a bucket (optional)": the signing endpoint, Upload when done, Upload all. */
export class UploadPanel {
  readonly element: HTMLDetailsElement;

  /** `onChange` is called when the settings change (jobs show Upload buttons only with an endpoint). */
  constructor(uploads: UploadActions, onChange: () => void) {
    const endpointInput = h('input', { type: 'url', id: 'upload-endpoint', placeholder: 'https://uploads.example.com/companion', value: uploads.endpoint });
    const status = h('span', { class: 'upload-status' });
    const showStatus = (): void => {
      setText(status, uploads.endpoint ? `· to ${hostOf(uploads.endpoint)}${uploads.uploadWhenDone ? ', when done' : ''}` : '· not set up');
      onChange();
    };
    showStatus();
    endpointInput.addEventListener('input', () => {
      uploads.setEndpoint(endpointInput.value.trim());
      showStatus();
    });
    const whenDone = h('input', { type: 'checkbox', id: 'upload-when-done', checked: uploads.uploadWhenDone });
    whenDone.addEventListener('change', () => {
      uploads.setUploadWhenDone(whenDone.checked);
      showStatus();
    });
    const uploadAll = h('button', { type: 'button' }, 'Upload all');
    uploadAll.addEventListener('click', () => uploads.uploadAll());

    this.element = h(
      'details',
      { class: 'panel upload-panel' },
      h('summary', {}, h('h2', {}, 'Upload to a bucket (optional)'), ' ', status),
      h('p', { class: 'hint' }, 'Send outputs to your own bucket through presigned URLs from a signing service (Companion-style S3 routes). Your files go straight to the bucket; nothing is sent until you press Upload or tick Upload when done.'),
      h('label', { for: 'upload-endpoint' }, 'Upload endpoint'),
      endpointInput,
      h('label', { class: 'inline' }, whenDone, 'Upload when done'),
      uploadAll,
    );
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
