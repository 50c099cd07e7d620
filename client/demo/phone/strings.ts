/**
 * @module
 * Every sentence the demo phone page shows, in English and Simplified Chinese. The page picks
 * its language once at load (`lang.ts`); messages from the server come in the same language
 * (the mobile client sends it as `x-authing-lang`).
 */
import type { Lang } from '../../mobile';

const EN = {
  // The page itself (elements with `data-i18n` in mobile.html).
  title: 'Acme app — scan to sign in',
  brand: 'Acme app',
  checking: 'Checking your sign-in…',
  authTitle: 'Sign in to the Acme app',
  authIntro: "This page plays the company's phone app. Sign in once; then scan QR codes to sign in on other screens.",
  username: 'Username',
  password: 'Password',
  nickname: 'Nickname',
  nicknameHint: '(optional, for a new account)',
  login: 'Log in',
  register: 'Create account',
  scanTitle: 'Scan to sign in',
  scanIntro: 'Point the camera at the QR code on the screen you want to sign in to.',
  scanCamera: 'Scan with camera',
  cameraLooking: 'Looking for a QR code…',
  stopCamera: 'Stop camera',
  photoLabel: 'or take or choose a photo of the QR code',
  pasteLabel: 'or paste the QR text',
  pasteSubmit: 'Use this QR text',
  logout: 'Log out',
  confirmTitle: 'Sign in on another screen?',
  reqApp: 'App',
  reqOrigin: 'Website',
  reqBrowser: 'Browser',
  reqOs: 'System',
  reqIp: 'IP address',
  reqNetwork: 'Network',
  matchPrompt: 'To approve, tap the number shown on the other screen:',
  approve: 'Approve',
  deny: 'Deny',
  scanAnother: 'Scan another',
  // Said by the views.
  signInAgain: 'Please sign in again',
  unknownWebsite: 'an unknown website',
  unknown: 'unknown',
  sameNetwork: 'Same network as this phone',
  otherNetwork: 'A different network from this phone',
  warning: 'Only approve if you are signing in to {origin} on a screen in front of you right now.',
  approved: 'Approved — you are signed in on the other screen',
  denied: 'Denied',
  noQrInPhoto: 'No QR code found in that photo. Try again closer, or paste the QR text.',
  notSignInCode: 'That QR code is not a sign-in code.',
  notPicture: 'That file could not be read as a picture.',
  cameraKeepLooking: 'That QR code is not a sign-in code. Keep looking…',
  cameraRefused: 'Camera permission was refused. Paste the QR text instead.',
  cameraFailed: 'The camera could not start. Take a photo of the QR code or paste its text instead.',
  cameraNeedsHttps: 'The camera needs HTTPS (or localhost). Paste the QR text instead.',
  cameraUnsupported: 'This browser cannot use the camera. Paste the QR text instead.',
  notQrText: 'That is not the text of a qrlogin QR code.',
  network: 'Could not reach the server. Check your connection and try again.',
  unexpected: 'Something went wrong. Please try again.',
};

/** The page's sentences, by name. */
export type PhoneStrings = { readonly [K in keyof typeof EN]: string };

/** The names of the sentences. */
export type PhoneStringKey = keyof PhoneStrings;

const ZH_CN: PhoneStrings = {
  title: 'Acme 应用 — 扫码登录',
  brand: 'Acme 应用',
  checking: '正在检查登录状态…',
  authTitle: '登录 Acme 应用',
  authIntro: '此页面模拟公司的手机 App。登录一次，之后扫描二维码即可在其他屏幕上登录。',
  username: '用户名',
  password: '密码',
  nickname: '昵称',
  nicknameHint: '（可选，用于新账号）',
  login: '登录',
  register: '创建账号',
  scanTitle: '扫码登录',
  scanIntro: '将摄像头对准你要登录的屏幕上的二维码。',
  scanCamera: '用摄像头扫码',
  cameraLooking: '正在寻找二维码…',
  stopCamera: '关闭摄像头',
  photoLabel: '或拍摄、选择一张二维码照片',
  pasteLabel: '或粘贴二维码文本',
  pasteSubmit: '使用此二维码文本',
  logout: '退出登录',
  confirmTitle: '在另一个屏幕上登录？',
  reqApp: '应用',
  reqOrigin: '网站',
  reqBrowser: '浏览器',
  reqOs: '系统',
  reqIp: 'IP 地址',
  reqNetwork: '网络',
  matchPrompt: '如要批准，请点击另一个屏幕上显示的数字：',
  approve: '批准',
  deny: '拒绝',
  scanAnother: '再扫一个',
  signInAgain: '请重新登录',
  unknownWebsite: '未知网站',
  unknown: '未知',
  sameNetwork: '与此手机在同一网络',
  otherNetwork: '与此手机不在同一网络',
  warning: '仅当你此刻正在面前的屏幕上登录 {origin} 时才批准。',
  approved: '已批准，你已在另一个屏幕上登录',
  denied: '已拒绝',
  noQrInPhoto: '照片中未找到二维码。请靠近一些重拍，或粘贴二维码文本。',
  notSignInCode: '这不是登录二维码。',
  notPicture: '无法将该文件作为图片读取。',
  cameraKeepLooking: '这不是登录二维码，继续寻找…',
  cameraRefused: '摄像头权限被拒绝。请改为粘贴二维码文本。',
  cameraFailed: '摄像头无法启动。请改为拍摄二维码照片或粘贴其文本。',
  cameraNeedsHttps: '摄像头需要 HTTPS（或 localhost）。请改为粘贴二维码文本。',
  cameraUnsupported: '此浏览器无法使用摄像头。请改为粘贴二维码文本。',
  notQrText: '这不是 qrlogin 二维码的文本。',
  network: '无法连接服务器，请检查网络后重试。',
  unexpected: '出错了，请重试。',
};

/** The page's sentences in each language it speaks. */
export const PHONE_STRINGS: Readonly<Record<Lang, PhoneStrings>> = { en: EN, 'zh-CN': ZH_CN };

/** `template` with each `{name}` replaced by `values[name]`. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
