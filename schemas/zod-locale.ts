/**
 * zod/mini, unlike classic zod, loads no error-message locale: without one every issue says only
 * "Invalid input". Validation messages are part of the contract (`details[].message`), so every
 * module that validates imports this first (schemas/common.ts does, and so every schema module).
 * English only: the other locales stay out of the bundles.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());
