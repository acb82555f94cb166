-- +goose Up
-- An organization's firmware images, stored in GenieACS's file server under
-- stored_name ("<slug>_<filename>": slugs have no underscore, so two
-- organizations' names never meet). A row is 'uploading' while its bytes
-- stream to GenieACS and 'ready' once they all arrived; a reservation left
-- by a crashed upload is taken over by the next upload of that name after
-- three hours (longer than an upload may take).
CREATE TABLE firmware_images (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    filename      text NOT NULL,
    stored_name   text NOT NULL,
    oui           text NOT NULL,
    product_class text NOT NULL,
    version       text NOT NULL,
    size          bigint NOT NULL DEFAULT 0,
    sha256        text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT 'uploading' CHECK (state IN ('uploading', 'ready')),
    uploaded_by   text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    uploaded_at   timestamptz
);
CREATE UNIQUE INDEX firmware_images_org_filename_idx ON firmware_images (org_id, filename);
CREATE UNIQUE INDEX firmware_images_stored_name_idx ON firmware_images (stored_name);
CREATE INDEX firmware_images_org_model_idx ON firmware_images (org_id, product_class, uploaded_at DESC) WHERE state = 'ready';

-- +goose Down
DROP TABLE firmware_images;
