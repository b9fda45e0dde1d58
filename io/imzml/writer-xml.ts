// The XML text of an imzML 1.1 header, in three parts so the writer can stream: `headerXml`
// (needs the spectrum count and the .ibd checksum, so it is produced last), one `spectrumXml`
// per spectrum (streamed to a temporary file as spectra arrive) and `FOOTER_XML`.
import { CV, DTYPE_ACCESSION } from './cv-terms.ts';
import { canonicalUuid } from './uuid.ts';
import type { ArrayRef, Compression, ImzmlMode, NumericDtype } from './types.ts';

export interface HeaderFields {
  mode: ImzmlMode;
  /** 32 hex digits. */
  uuid: string;
  sha1: string;
  count: number;
  mzDtype: NumericDtype;
  intensityDtype: NumericDtype;
  compression: Compression;
  spectrumType: 'profile' | 'centroid';
  width?: number;
  height?: number;
  pixelSize?: number;
  software: { name: string; version: string };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cv(accession: string, name: string, value = '', unit?: { accession: string; name: string }): string {
  const ref = accession.slice(0, accession.indexOf(':'));
  const u = unit ? ` unitCvRef="${unit.accession.slice(0, unit.accession.indexOf(':'))}" unitAccession="${unit.accession}" unitName="${unit.name}"` : '';
  return `<cvParam cvRef="${ref}" accession="${accession}" name="${name}" value="${esc(value)}"${u}/>`;
}

export function formatUuid(hex32: string): string {
  return `{${canonicalUuid(hex32)}}`;
}

export function headerXml(f: HeaderFields): string {
  const compressionParam =
    f.compression === 'zlib' ? cv(CV.zlibCompression, 'zlib compression') : cv(CV.noCompression, 'no compression');
  const dtypeParam = (d: NumericDtype) => cv(DTYPE_ACCESSION[d].accession, DTYPE_ACCESSION[d].name);
  const um = { accession: CV.micrometer, name: 'micrometer' };
  const settings: string[] = [];
  if (f.width !== undefined) settings.push(cv(CV.maxCountX, 'max count of pixels x', String(f.width)));
  if (f.height !== undefined) settings.push(cv(CV.maxCountY, 'max count of pixels y', String(f.height)));
  if (f.pixelSize !== undefined) {
    settings.push(cv(CV.pixelSizeX, 'pixel size x', String(f.pixelSize), um));
    settings.push(cv(CV.pixelSizeY, 'pixel size y', String(f.pixelSize), um));
    if (f.width !== undefined) settings.push(cv(CV.maxDimensionX, 'max dimension x', String(f.width * f.pixelSize), um));
    if (f.height !== undefined) settings.push(cv(CV.maxDimensionY, 'max dimension y', String(f.height * f.pixelSize), um));
  }
  const representation =
    f.spectrumType === 'centroid' ? cv(CV.centroidSpectrum, 'centroid spectrum') : cv(CV.profileSpectrum, 'profile spectrum');
  const sw = esc(f.software.name);
  return `<?xml version="1.0" encoding="UTF-8"?>
<mzML xmlns="http://psi.hupo.org/ms/mzml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://psi.hupo.org/ms/mzml http://psidev.info/files/ms/mzML/xsd/mzML1.1.0_idx.xsd" version="1.1">
  <cvList count="3">
    <cv id="MS" fullName="Proteomics Standards Initiative Mass Spectrometry Ontology" version="4.1.0" URI="https://raw.githubusercontent.com/HUPO-PSI/psi-ms-CV/master/psi-ms.obo"/>
    <cv id="UO" fullName="Unit Ontology" version="2020-03-10" URI="http://ontologies.berkeleybop.org/uo.obo"/>
    <cv id="IMS" fullName="Imaging MS Ontology" version="1.1.0" URI="https://raw.githubusercontent.com/imzML/imzML/master/imagingMS.obo"/>
  </cvList>
  <fileDescription>
    <fileContent>
      ${cv(CV.ms1Spectrum, 'MS1 spectrum')}
      ${representation}
      ${f.mode === 'continuous' ? cv(CV.continuous, 'continuous') : cv(CV.processed, 'processed')}
      ${cv(CV.uuid, 'universally unique identifier', formatUuid(f.uuid))}
      ${cv(CV.ibdSha1, 'ibd SHA-1', f.sha1)}
    </fileContent>
  </fileDescription>
  <referenceableParamGroupList count="4">
    <referenceableParamGroup id="mzArray">
      ${cv(CV.mzArray, 'm/z array', '', { accession: CV.mzUnit, name: 'm/z' })}
      ${dtypeParam(f.mzDtype)}
      ${compressionParam}
      ${cv(CV.externalData, 'external data', 'true')}
    </referenceableParamGroup>
    <referenceableParamGroup id="intensityArray">
      ${cv(CV.intensityArray, 'intensity array', '', { accession: CV.countsUnit, name: 'number of detector counts' })}
      ${dtypeParam(f.intensityDtype)}
      ${compressionParam}
      ${cv(CV.externalData, 'external data', 'true')}
    </referenceableParamGroup>
    <referenceableParamGroup id="spectrum1">
      ${cv(CV.ms1Spectrum, 'MS1 spectrum')}
      ${cv(CV.msLevel, 'ms level', '1')}
      ${representation}
    </referenceableParamGroup>
    <referenceableParamGroup id="scan1">
      ${cv(CV.increasingMzScan, 'increasing m/z scan')}
    </referenceableParamGroup>
  </referenceableParamGroupList>
  <softwareList count="1">
    <software id="${sw}" version="${esc(f.software.version)}">
      ${cv(CV.customSoftware, 'custom unreleased software tool', f.software.name)}
    </software>
  </softwareList>
  <scanSettingsList count="1">
    <scanSettings id="scanSettings1">
      ${settings.join('\n      ')}
    </scanSettings>
  </scanSettingsList>
  <instrumentConfigurationList count="1">
    <instrumentConfiguration id="IC1"/>
  </instrumentConfigurationList>
  <dataProcessingList count="1">
    <dataProcessing id="export">
      <processingMethod order="1" softwareRef="${sw}">
        ${cv(CV.fileFormatConversion, 'file format conversion', 'Output to imzML')}
      </processingMethod>
    </dataProcessing>
  </dataProcessingList>
  <run defaultInstrumentConfigurationRef="IC1" id="run1">
    <spectrumList count="${f.count}" defaultDataProcessingRef="export">
`;
}

function arrayXml(group: string, ref: ArrayRef): string {
  return `          <binaryDataArray encodedLength="0">
            <referenceableParamGroupRef ref="${group}"/>
            ${cv(CV.externalOffset, 'external offset', String(ref.offset))}
            ${cv(CV.externalArrayLength, 'external array length', String(ref.length))}
            ${cv(CV.externalEncodedLength, 'external encoded length', String(ref.encodedLength))}
            <binary/>
          </binaryDataArray>
`;
}

export function spectrumXml(index: number, x: number, y: number, mz: ArrayRef, intensity: ArrayRef): string {
  return `      <spectrum id="spectrum=${index + 1}" defaultArrayLength="0" index="${index}">
        <referenceableParamGroupRef ref="spectrum1"/>
        <scanList count="1">
          ${cv(CV.noCombination, 'no combination')}
          <scan instrumentConfigurationRef="IC1">
            <referenceableParamGroupRef ref="scan1"/>
            ${cv(CV.positionX, 'position x', String(x))}
            ${cv(CV.positionY, 'position y', String(y))}
          </scan>
        </scanList>
        <binaryDataArrayList count="2">
${arrayXml('mzArray', mz)}${arrayXml('intensityArray', intensity)}        </binaryDataArrayList>
      </spectrum>
`;
}

export const FOOTER_XML = `    </spectrumList>
  </run>
</mzML>
`;
