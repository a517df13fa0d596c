import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { catalogueValidatorSpec } from '../catalogue/catalogue.js';
import { DELEGATION_VALIDATOR_SPECS } from '../delegation/schemas.js';
import { REPORT_VALIDATOR_SPEC } from '../report/report-schema.js';
import { ajvFor, specStamp, type ValidatorSpec } from './precompiled.js';

/** Every validator dmdc compiles. */
export function allValidatorSpecs(): ValidatorSpec[] {
  return [REPORT_VALIDATOR_SPEC, catalogueValidatorSpec(), ...DELEGATION_VALIDATOR_SPECS];
}

/** A spec's validator as ajv standalone code (a CommonJS module), stamped with what it was made from. */
export function standaloneSource(spec: ValidatorSpec): string {
  // The formats are referenced from ajv-formats at run time, as its documentation has it for standalone code.
  const ajv = ajvFor(spec, { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  return `${standaloneCode.default(ajv, ajv.compile(spec.schema))}\nmodule.exports.stamp = ${JSON.stringify(specStamp(spec))};\n`;
}
